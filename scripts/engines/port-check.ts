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
export async function assertPortsFree(engine: string, ports: NamedPort[]): Promise<void> {
  const busy: NamedPort[] = [];
  for (const entry of ports) {
    if (!(await isPortFree(entry.port))) busy.push(entry);
  }
  if (busy.length > 0) {
    const list = busy.map((b) => `127.0.0.1:${b.port} (${b.setting})`).join(', ');
    throw new AppError('ENGINE_PORT_IN_USE', `${engine}: another process already listens on ${list}`, {
      details: { engine, ports: busy },
    });
  }
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
