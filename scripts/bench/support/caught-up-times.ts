import { performance } from 'node:perf_hooks';
import { printTable } from './print-table';

export type CaughtUpCheck = [name: string, reached: () => Promise<boolean>];

/**
 * Polls until `done` holds and notes when each consumer caught up for good,
 * in seconds since `started` (performance.now()). A consumer that falls
 * behind again (a topic that was empty at first) starts over.
 */
export async function waitCaughtUp(
  checks: CaughtUpCheck[],
  done: () => Promise<boolean>,
  started: number,
): Promise<{ seconds: number; caughtUpAt: Map<string, number> }> {
  const at = new Map<string, number | undefined>();
  for (;;) {
    const now = (performance.now() - started) / 1000;
    for (const [name, reached] of checks) {
      if (!(await reached())) at.set(name, undefined);
      else if (at.get(name) === undefined) at.set(name, now);
    }
    if (await done()) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const caughtUpAt = new Map(checks.map(([name]) => [name, at.get(name) ?? seconds]));
  return { seconds, caughtUpAt };
}

export function printCaughtUp(caughtUpAt: Map<string, number>): void {
  console.log('');
  printTable(
    ['consumer', 'caught up at (s)'],
    [...caughtUpAt].map(([name, s]) => [name, s.toFixed(2)]),
  );
}
