import { enginesUp } from '../../../scripts/engines/index';

/** Starts the engines once for the whole run (a no-op when they are up) and shares their endpoints. */
export default async function globalSetup(): Promise<void> {
  const endpoints = await enginesUp(undefined, { log: (m) => process.stderr.write(`${m}\n`) });
  process.env.PICSEARCH_TEST_ENDPOINTS = JSON.stringify(endpoints);
}
