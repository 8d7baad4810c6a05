import type { HoldAuthority, RetentionEvent } from './events.ts';

export interface LegalHold {
  holdId: string;
  authority: HoldAuthority;
  reference: string;
  placedAt: string;
}

export interface DestroyedEvidence {
  policy: string;
  basis: Extract<RetentionEvent, { type: 'EvidenceDestroyed' }>['data']['legalBasis'];
  at: string;
}

/** The retention stream of one case folded: holds in force and evidence already destroyed. */
export interface RetentionState {
  caseId?: string;
  /** Holds in force, by hold id. */
  holds: Readonly<Record<string, LegalHold>>;
  /** Hold ids ever used (a lifted hold's id is not reused). */
  holdIds: readonly string[];
  destroyed: Readonly<Record<string, DestroyedEvidence>>;
}
