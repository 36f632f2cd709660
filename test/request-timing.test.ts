import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { TrendRanker } from '../indexer/trending/trend-ranker';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import { MemorySearchIndex } from '../platform/adapters/memory-search';
import { systemClock } from '../platform/clock';
import { createApiApp } from '../query/api/create-api-app';
import { listenApi } from '../query/api/listen-api';
import { PostingIndex } from '../query/engine/posting-index';
import { pollUntil } from './support/poll';

/** Latency histograms and slow-request logs for requests Express answers. */
describe('request timing', () => {
  const lines: Record<string, unknown>[] = [];
  let dir: string;
  let log: EmbeddedEventLog;
  let kv: LmdbKvStore;
  let server: Server;
  let base: string;
  let openGate: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'request-timing-'));
    log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
    kv = LmdbKvStore.open({ path: path.join(dir, 'kv') });
    const api = createApiApp({
      log,
      kv,
      search: MemorySearchIndex.create(),
      index: () => new PostingIndex(),
      trending: new TrendRanker({ kv, clock: systemClock, windowMs: 300_000, retentionMs: 3_600_000 }),
      // /readyz waits for the gate: a request kept running as long as a test likes.
      ready: async () => {
        await gate;
        return true;
      },
      logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
      slowRequestMs: 60,
      web: false,
    });
    server = await listenApi(api, 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await kv.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  const count = async (labels: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`http_request_duration_seconds_count{${labels}}`));
    return Number(line?.split(' ')[1] ?? 0);
  };

  it('warns once while a request runs past the threshold, then logs it with its route when it ends', async () => {
    gate = new Promise((resolve) => (openGate = resolve));
    lines.length = 0;
    const reply = fetch(`${base}/readyz?x=1`);
    await pollUntil(() => lines.length >= 1, 'the still-running warning');
    expect(lines[0]).toMatchObject({ msg: 'request still running', method: 'GET', url: '/readyz?x=1' });
    expect(lines[0]!.elapsedMs).toBeGreaterThanOrEqual(60);
    // Several sweeps pass (one every 50 ms) without repeating the warning.
    const sweepsFrom = Date.now();
    await pollUntil(() => Date.now() - sweepsFrom > 200, 'a few sweeps');
    expect(lines).toHaveLength(1);
    openGate();
    expect((await reply).status).toBe(200);
    await pollUntil(() => lines.length === 2, 'the slow-request line');
    expect(lines[1]).toMatchObject({
      msg: 'slow request',
      method: 'GET',
      url: '/readyz?x=1',
      route: '/readyz',
      status: 200,
    });
    expect(lines[1]!.totalMs).toBeGreaterThanOrEqual(260);
  });

  it('counts each request under its method, route pattern and status, never its raw path', async () => {
    const before = await count('method="GET",route="unmatched",status="404"');
    expect((await fetch(`${base}/v1/nothing/here`)).status).toBe(404);
    await pollUntil(
      async () => (await count('method="GET",route="unmatched",status="404"')) === before + 1,
      'the 404 to be counted',
    );
    expect((await fetch(`${base}/v1/users/abc`)).status).toBe(400);
    await pollUntil(
      async () => (await count('method="GET",route="/v1/users/:id",status="400"')) === 1,
      'the 400 to be counted',
    );
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).not.toContain('/v1/nothing/here');
    expect(text).not.toContain('route="/v1/users/abc"');
  });
});
