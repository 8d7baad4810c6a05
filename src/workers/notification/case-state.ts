/** Loads a case's folded state for a worker (workers act on the store's history, not on job payloads). */
import type { EventStore } from '../../ports/eventstore.ts';
import { loadStream } from '../../commands/handler.ts';
import { caseDecider } from '../../domain/case/decider.ts';
import { parseCaseEvent } from '../../domain/case/events.ts';
import type { CaseState } from '../../domain/case/state.ts';
import { streams } from '../../domain/record.ts';

export async function loadCase(store: EventStore, caseId: string): Promise<CaseState> {
  return (await loadStream(store, streams.case(caseId), caseDecider, parseCaseEvent)).state;
}
