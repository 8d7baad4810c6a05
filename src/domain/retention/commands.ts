import type { CommandBase } from '../decider.ts';
import type { OfficerView } from '../officer/view.ts';
import type { HoldAuthority } from './events.ts';
import type { RetentionPolicy } from './policies.ts';

/**
 * What retention needs to know about a case, read from the case's own stream at decision time (so automatic
 * holds are derived, never stored): whether it is still open, whether an appeal is pending, when it ended,
 * whether its review rejected the detection, and its evidence.
 */
export interface CaseRetentionFacts {
  caseId: string;
  /** `open` for every status before closed / expired / voided. */
  status: 'open' | 'ended';
  /** When the case ended (closed, expired or voided); absent while open. */
  endedAt?: string;
  /** The review rejected the detection (its evidence falls under `rejected-detection`). */
  rejected: boolean;
  /** An appeal was filed and has no outcome yet. */
  appealPending: boolean;
  /** Original evidence digests (detection and attachments). */
  originals: readonly string[];
  /** Derived media digests (`EvidenceDerived`). */
  derived: readonly string[];
}

/**
 * How the caller orders a hold or its lifting, resolved by the application service from who the caller is:
 * - `signed`: an enrolled officer's `hold/v1` sign-off with its signature and key id, and the officer's view
 *   (`officer-<actor.id>` folded; undefined when not enrolled) to check the key against;
 * - `court-request`: the caller is an authenticated court (not an enrolled officer, no signing key); its
 *   request is recorded with the court's reference and only under authority `court`.
 */
export type HoldOrder =
  | { kind: 'signed'; signoff: unknown; signature: string; keyId: string; officer: OfficerView | undefined }
  | { kind: 'court-request' };

export type RetentionCommand =
  | (CommandBase & {
      type: 'PlaceLegalHold';
      caseId: string;
      holdId: string;
      authority: HoldAuthority;
      reference: string;
      reason: string;
      order: HoldOrder;
    })
  | (CommandBase & {
      type: 'LiftLegalHold';
      caseId: string;
      holdId: string;
      authority: HoldAuthority;
      reference: string;
      reason: string;
      order: HoldOrder;
    })
  | (CommandBase & {
      type: 'DestroyEvidence';
      caseId: string;
      digest: string;
      facts: CaseRetentionFacts;
      policies: readonly RetentionPolicy[];
    });

export type RetentionCommandType = RetentionCommand['type'];

export const RETENTION_COMMAND_TYPES = [
  'PlaceLegalHold',
  'LiftLegalHold',
  'DestroyEvidence',
] as const satisfies readonly RetentionCommandType[];
