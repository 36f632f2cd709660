import client from 'prom-client';

/** Sources the gauges read at scrape time. */
export interface MetricSources {
  /** Records not yet indexed, by consumer name. */
  lag(): Promise<Record<string, number>>;
  /** Flush statistics of the batching consumers, by consumer name. */
  flushes(): Record<string, { flushes: number; events: number; kvWrites: number; lastDurationMs: number }>;
  cache(): { hits: number; misses: number };
}

/** The service's Prometheus registry: one per app, so tests and several apps in one process don't collide. */
export class ApiMetrics {
  readonly registry = new client.Registry();
  readonly requestSeconds: client.Histogram<'method' | 'route' | 'status'>;

  constructor(sources: MetricSources) {
    client.collectDefaultMetrics({ register: this.registry });
    this.requestSeconds = new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'Request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    new client.Gauge({
      name: 'indexer_lag_records',
      help: 'Records behind the log end, by consumer',
      labelNames: ['consumer'],
      registers: [this.registry],
      async collect() {
        for (const [consumer, lag] of Object.entries(await sources.lag())) this.set({ consumer }, lag);
      },
    });
    const flushGauge = (
      name: string,
      help: string,
      pick: (f: ReturnType<MetricSources['flushes']>[string]) => number,
    ) =>
      new client.Gauge({
        name,
        help,
        labelNames: ['consumer'],
        registers: [this.registry],
        collect() {
          for (const [consumer, f] of Object.entries(sources.flushes())) this.set({ consumer }, pick(f));
        },
      });
    flushGauge('counter_flushes_total', 'Flushes of the batching consumers', (f) => f.flushes);
    flushGauge('counter_flushed_events_total', 'Records flushed by the batching consumers', (f) => f.events);
    flushGauge('counter_kv_writes_total', 'KV writes by the batching consumers', (f) => f.kvWrites);
    flushGauge('counter_last_flush_seconds', 'Duration of the last flush', (f) => f.lastDurationMs / 1000);
    new client.Gauge({
      name: 'tag_page_cache_hit_ratio',
      help: 'Hits over lookups of the hashtag-page cache since start',
      registers: [this.registry],
      collect() {
        const { hits, misses } = sources.cache();
        this.set(hits + misses === 0 ? 0 : hits / (hits + misses));
      },
    });
    new client.Gauge({
      name: 'tag_page_cache_lookups_total',
      help: 'Hashtag-page cache lookups since start',
      labelNames: ['result'],
      registers: [this.registry],
      collect() {
        const { hits, misses } = sources.cache();
        this.set({ result: 'hit' }, hits);
        this.set({ result: 'miss' }, misses);
      },
    });
  }
}
