export { CountingWorker, COUNTER_WATERMARKS, type CountingWorkerOptions } from './counting-worker';
export { readHashtagCount, type HashtagCountRecord } from './read-hashtag-count';
export type { ConsumerMetrics, FlushReason, FlushStats } from './flush-metrics';
