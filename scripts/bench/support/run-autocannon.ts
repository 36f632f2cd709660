import { spawn } from 'node:child_process';
import path from 'node:path';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  total: number;
}

/** Runs autocannon in its own process (see autocannon-runner.ts), so the load shares no event loop with the server. */
export function runAutocannon(
  url: string,
  paths: string[],
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const runner = path.join(__dirname, 'autocannon-runner.ts');
  const input = JSON.stringify({ url, paths, connections, durationSeconds: seconds });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', runner, input], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`autocannon exited ${code}`)),
    );
  });
}
