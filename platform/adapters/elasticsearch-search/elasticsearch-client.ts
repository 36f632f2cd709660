import { Client } from '@elastic/elasticsearch';
import { ValidationError } from '../../errors';

export interface ElasticsearchClientOptions {
  /** `http://host:port` of one node. */
  node: string;
  /** Per request (30 s). */
  requestTimeoutMs?: number;
  /** The transport's own retries of 502–504 and lost connections (3). */
  maxRetries?: number;
}

/** The one place that builds a client, so no @elastic type leaves this folder's API. */
export function createElasticsearchClient(options: ElasticsearchClientOptions): Client {
  const { node, requestTimeoutMs = 30_000, maxRetries = 3 } = options ?? ({} as ElasticsearchClientOptions);
  let url: URL | undefined;
  try {
    url = typeof node === 'string' ? new URL(node) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ValidationError('node must be an http:// or https:// URL', [
      { field: 'node', reason: 'not an http(s) URL' },
    ]);
  }
  for (const [field, value, min] of [
    ['requestTimeoutMs', requestTimeoutMs, 1],
    ['maxRetries', maxRetries, 0],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new ValidationError(`${field} must be an integer of at least ${min}`, [
        { field, reason: `not an integer >= ${min}` },
      ]);
    }
  }
  return new Client({ node, requestTimeout: requestTimeoutMs, maxRetries });
}
