export { EmbeddedEventLog, type EmbeddedEventLogOptions } from './embedded-event-log';
export type { FsyncPolicy } from './partition-log';
