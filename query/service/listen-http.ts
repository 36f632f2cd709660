import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  url: string;
  /** Stops accepting, drops idle and open connections, and resolves once closed. */
  close(): Promise<void>;
}

/** Listens on `host:port` (0 picks a free port) and reports a URL a browser can open. */
export async function listenHttp(server: Server, port: number, host = '127.0.0.1'): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
