import { createServer } from 'node:net';
import { AppError } from '../../platform/errors';

export interface NamedPort {
  /** The env var that configures it, so the error says what to change. */
  setting: string;
  port: number;
}

/**
 * Fails when another program already listens on one of the ports: the engine
 * would not start, and worse, a readiness probe could succeed against the
 * stranger.
 */
export function assertPortsFree(engine: string, ports: NamedPort[]): Promise<void> {
  return waitForPortsFree(engine, ports, 0);
}

/**
 * Polls until the ports are free, failing as assertPortsFree at the deadline.
 * A stopped JVM's leader thread can be reaped while its other threads still
 * hold the listening sockets for a moment.
 */
export async function waitForPortsFree(
  engine: string,
  ports: NamedPort[],
  timeoutMs: number,
  pollMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = await busyPorts(ports);
    if (busy.length === 0) return;
    if (Date.now() >= deadline) {
      const list = busy.map((b) => `127.0.0.1:${b.port} (${b.setting})`).join(', ');
      throw new AppError('ENGINE_PORT_IN_USE', `${engine}: another process already listens on ${list}`, {
        details: { engine, ports: busy },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function busyPorts(ports: NamedPort[]): Promise<NamedPort[]> {
  const busy: NamedPort[] = [];
  for (const entry of ports) {
    if (!(await isPortFree(entry.port))) busy.push(entry);
  }
  return busy;
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
