import { createServer, type Server } from 'node:net';
import { assertPortsFree, waitForPortsFree } from '../scripts/engines/port-check';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      resolve({ server, port: address.port });
    });
  });
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('engine port checks', () => {
  it('names the busy port and its setting', async () => {
    const { server, port } = await listen();
    try {
      await expect(
        assertPortsFree('kafka', [{ setting: 'PICSEARCH_KAFKA_PORT', port }]),
      ).rejects.toMatchObject({
        code: 'ENGINE_PORT_IN_USE',
        message: expect.stringContaining(`127.0.0.1:${port} (PICSEARCH_KAFKA_PORT)`),
      });
    } finally {
      await close(server);
    }
  });

  it('passes once a port is released, and keeps failing on one that stays bound', async () => {
    const first = await listen();
    const free = { setting: 'A', port: first.port };
    await close(first.server);
    await expect(assertPortsFree('kafka', [free])).resolves.toBeUndefined();

    const held = await listen();
    try {
      await expect(
        waitForPortsFree('kafka', [{ setting: 'B', port: held.port }], 300, 20),
      ).rejects.toMatchObject({
        code: 'ENGINE_PORT_IN_USE',
      });
    } finally {
      await close(held.server);
    }
  });

  it('waits for a port that is released while it polls', async () => {
    const { server, port } = await listen();
    // Still bound when the wait starts, so resolving proves it polled.
    const waited = waitForPortsFree('cassandra', [{ setting: 'C', port }], 30_000, 10);
    const release = setTimeout(() => void close(server), 30);
    try {
      await expect(waited).resolves.toBeUndefined();
    } finally {
      clearTimeout(release);
    }
  });
});
