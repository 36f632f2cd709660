/**
 * Runs autocannon in its own process, so the load generator does not share
 * the server's event loop: `node --import tsx autocannon-runner.ts <json>`
 * with `{ url, paths, connections, durationSeconds }`; prints one JSON line.
 */
import autocannon from 'autocannon';

interface RunnerInput {
  url: string;
  paths: string[];
  connections: number;
  durationSeconds: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]!) as RunnerInput;
  const result = await autocannon({
    url: input.url,
    connections: input.connections,
    duration: input.durationSeconds,
    requests: input.paths.map((path) => ({ method: 'GET', path })),
  });
  const out = {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
