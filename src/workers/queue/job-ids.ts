/**
 * Deterministic ids for what a job writes. A job may run more than once (a killed worker, a lost
 * acknowledgement); each event it appends gets the id UUIDv5(`<queue>/<jobId>/<step>`), so a re-run proposes
 * the very same event ids and cannot add a second copy: either the processor sees the fact already in the
 * case and skips, or the store refuses the duplicate id (DuplicateEventIdError), which `onceOnly` treats as
 * "already done".
 */
import { v5 as uuidV5 } from 'uuid';
import { DuplicateEventIdError } from '../../ports/eventstore.ts';

/** Fixed namespace for job-derived ids (random once; MUST never change). */
export const JOB_EVENT_NAMESPACE = '9c1f4a86-3e2b-4d6f-b1a7-5f0e8d2c7a13';

export function jobEventId(queue: string, jobId: string, step: string): string {
  return uuidV5(`${queue}/${jobId}/${step}`, JOB_EVENT_NAMESPACE);
}

/** Runs an append whose event ids are job-derived; a duplicate-id refusal for one of them means it already ran. */
export async function onceOnly<T>(eventIds: readonly string[], append: () => Promise<T>): Promise<T | 'already-recorded'> {
  try {
    return await append();
  } catch (error) {
    if (error instanceof DuplicateEventIdError && eventIds.includes(error.eventId)) return 'already-recorded';
    throw error;
  }
}
