import type { CheckpointBase } from '../ops-context';

export type BackfillStage = 'import' | 'index' | 'derive' | 'mirror';

export interface BackfillCheckpoint extends CheckpointBase {
  stage: BackfillStage;
  /** Input lines handled so far (NDJSON import). */
  importedLines: number;
  /** A per-run suffix of the private consumer groups. */
  runId: string;
}
