import type { Counts } from './run-stats';

export interface RunSummary {
  command: string;
  counts: Counts;
  elapsedMs: number;
  rejects: { path: string; count: number };
  dryRun: boolean;
  /** Command-specific lines (versions swapped, differences found). */
  details?: string[];
}

const n = (x: number) => x.toLocaleString('en');

/** The closing lines of every command: counts, time taken, rate, and where failures went. */
export function formatSummary(s: RunSummary): string {
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(s.counts.read / seconds) : 0;
  const c = s.counts;
  const lines = [
    `${s.command}${s.dryRun ? ' (dry run: nothing written)' : ''} finished in ${seconds.toFixed(1)} s`,
    `  read ${n(c.read)}, written ${n(c.written)}, skipped ${n(c.skipped)}, failed ${n(c.failed)} (${n(rate)} read/s)`,
    ...(s.details ?? []).map((d) => `  ${d}`),
    s.rejects.count > 0 ? `  failures: ${n(s.rejects.count)} in ${s.rejects.path}` : '  failures: none',
  ];
  return `${lines.join('\n')}\n`;
}
