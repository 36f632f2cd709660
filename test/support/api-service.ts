import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  startEmbeddedService,
  type EmbeddedService,
  type EmbeddedServiceOptions,
} from '../../query/service/embedded-service';
import { DELETES, FOLLOWS, LOCATIONS, POSTS, REMOVED_FOLLOWS, UPDATES, USERS } from './api-world';
import { pollUntil } from './poll';

export const ADMIN_TOKEN = 'test-admin-token-123456';

/** Reply bodies are read field by field in assertions; a loose type keeps those short. */
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Reply<T = Json> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A running service in its own temp dir, with small HTTP helpers. */
export class TestService {
  private seq = 0;

  private constructor(
    readonly service: EmbeddedService,
    readonly dir: string,
  ) {}

  static async start(options: Partial<EmbeddedServiceOptions> = {}): Promise<TestService> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-api-'));
    const service = await startEmbeddedService({
      dataDir: dir,
      port: 0,
      seedDemo: false,
      adminToken: ADMIN_TOKEN,
      logFsync: 'never',
      counter: { flushIntervalMs: 20 },
      trending: { flushIntervalMs: 20 },
      ...options,
    });
    return new TestService(service, dir);
  }

  get url(): string {
    return this.service.url;
  }

  async close(): Promise<void> {
    await this.service.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  async request<T = Json>(
    method: string,
    pathAndQuery: string,
    options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(new URL(pathAndQuery, this.url), { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = Json>(pathAndQuery: string, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.request<T>('GET', pathAndQuery, { token: null, headers });
  }

  /** Appends events through the API and checks they were accepted. */
  async publish(events: unknown[]): Promise<void> {
    const res = await this.request('POST', '/v1/events', { body: events });
    if (res.status !== 202) throw new Error(`POST /v1/events: ${res.status} ${res.text}`);
  }

  /** Waits until the service has indexed everything published so far (/readyz stays ready once it was). */
  async waitReady(what = 'the index to catch up'): Promise<void> {
    await pollUntil(() => this.service.caughtUp(), what, 60_000);
  }

  /** A fresh event envelope; eventIds must be unique or the indexer drops the event as a duplicate. */
  envelope(type: string, occurredAt = new Date().toISOString()) {
    return { type, eventId: `evt-${process.pid}-${this.seq++}`, occurredAt };
  }

  postEvent(
    p: {
      id: string;
      authorId: string;
      caption: string;
      imageUrl?: string;
      locationId?: string;
      createdAt?: string;
    },
    occurredAt?: string,
  ) {
    return {
      ...this.envelope('post.published', occurredAt),
      post: {
        id: p.id,
        authorId: p.authorId,
        caption: p.caption,
        imageUrl: p.imageUrl ?? `https://img.example.com/${p.id}.jpg`,
        ...(p.locationId ? { locationId: p.locationId } : {}),
        createdAt: p.createdAt ?? '2024-06-01T00:00:00Z',
      },
    };
  }

  /**
   * Publishes the world in two waves: people, places and follows first (so
   * privacy is known when posts arrive), then every post, edit and delete in
   * one request. Returns when every post event happened (for trending).
   */
  async loadWorld(): Promise<number> {
    await this.publish([
      ...USERS.map((user) => ({ ...this.envelope('user.upserted'), user })),
      ...LOCATIONS.map((location) => ({ ...this.envelope('location.upserted'), location })),
      ...FOLLOWS.map(([followerId, followeeId]) => ({
        ...this.envelope('follow.added'),
        followerId,
        followeeId,
      })),
    ]);
    await this.publish(
      REMOVED_FOLLOWS.map(([followerId, followeeId]) => ({
        ...this.envelope('follow.removed'),
        followerId,
        followeeId,
      })),
    );
    await this.waitReady('people, places and follows');
    // Inside the previous five-minute trending window, so the posts count as its latest complete one.
    const now = Date.now();
    const postsAt = now - (now % 300_000) - 60_000;
    const at = new Date(postsAt).toISOString();
    await this.publish([
      ...POSTS.map((p) => this.postEvent(p, at)),
      ...Object.entries(UPDATES).map(([label, caption]) => ({
        ...this.envelope('post.updated', at),
        post: { id: POSTS.find((p) => p.label === label)!.id, caption },
      })),
      ...DELETES.map((label) => ({
        ...this.envelope('post.deleted', at),
        postId: POSTS.find((p) => p.label === label)!.id,
      })),
    ]);
    await this.waitReady('the posts');
    return postsAt;
  }
}

/** The `{ error: { code, message, details? } }` body, checked for shape. */
export function errorOf(reply: Reply): { code: string; message: string; details?: Json } {
  const body = reply.body as { error?: { code?: unknown; message?: unknown; details?: unknown } };
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error?.code).toBe('string');
  expect(typeof body.error?.message).toBe('string');
  expect(Object.keys(body.error!).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  return body.error as { code: string; message: string; details?: Json };
}

/** The fields named by a VALIDATION_FAILED error. */
export function fieldsOf(reply: Reply): string[] {
  const err = errorOf(reply);
  expect(err.code).toBe('VALIDATION_FAILED');
  return (err.details.issues as { field: string }[]).map((i) => i.field);
}
