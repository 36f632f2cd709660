import { Packr } from 'msgpackr';

/**
 * The msgpackr settings lmdb uses for its own values (records on, no shared
 * structures): each value is self-describing, so bytes packed here decode
 * with lmdb's decoder and with any other Packr, across restarts.
 */
export function createValuePackr(): Packr {
  return new Packr();
}
