import { randomBytes } from 'node:crypto';
import type { EngineEndpoints } from '../../../scripts/engines/index';

/** The endpoints globalSetup started, for suites running in jest workers. */
export function testEndpoints(): EngineEndpoints {
  const raw = process.env.PICSEARCH_TEST_ENDPOINTS;
  if (!raw)
    throw new Error(
      'run these suites with `npm run test:engines` (jest.engines.config.js starts the engines)',
    );
  return JSON.parse(raw) as EngineEndpoints;
}

/** A name no other run uses, for topics, indices and keyspaces (lower case, letters, digits, _). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}
