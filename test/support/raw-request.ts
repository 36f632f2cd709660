import net from 'node:net';

export interface RawReply {
  /** The whole response with the Date header's value blanked out. */
  raw: string;
  status: number;
  headers: [string, string][];
  body: string;
}

/** One request over a fresh socket, so the exact bytes of the answer can be compared. */
export function rawRequest(
  port: number,
  method: string,
  target: string,
  extra: string[] = [],
  body = '',
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const raw = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r\nDate: [^\r]*/, '\r\nDate: -');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const [statusLine, ...lines] = head!.split('\r\n');
      resolve({
        raw,
        status: Number(statusLine!.split(' ')[1]),
        headers: lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
        body: rest.join('\r\n\r\n'),
      });
    });
    socket.write(
      [`${method} ${target} HTTP/1.1`, 'Host: localhost', 'Connection: close', ...extra, '', body].join(
        '\r\n',
      ),
    );
  });
}
