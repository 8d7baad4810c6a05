/**
 * Agency warnings: how the handling unit warns the agencies `OwnerUnresponsive` names (vehicle registration,
 * vehicle inspection, and for motorbikes the commune police of the owner's residence: Decree 168/2024
 * Art. 47.11 through Circular 73/2024 Art. 24.5) that a vehicle's owner has not answered a notice. Adapters: the
 * HTTP adapter (src/adapters/notify/http-agency-warnings.ts, selected by AGENCY_WARNING_URL_*; its contract is
 * agency-warning-contract.ts) and, when none is configured, the in-memory stand-in
 * (src/adapters/notify/stand-in-agency-warnings.ts): no agency system exists here.
 *
 * Idempotent by `warningId`: the adapter delivers once per id and answers a repeat with the same receipt, so a
 * worker that retries after a lost acknowledgement warns the agency once. A warning names the vehicle (plate,
 * class, colour) and the owner's opaque registry reference, never a name or an address; adapters MUST NOT log it.
 */
import type { WarnedAgency } from '../domain/case/events.ts';
import type { PlateColour } from '../domain/plates/colours.ts';
import { AppError } from '../domain/shared/errors.ts';

export interface AgencyWarning {
  /** Ours, stable across retries: the adapter's deduplication key. */
  warningId: string;
  caseId: string;
  agency: WarnedAgency;
  /** The handling unit's province. */
  province: string;
  plate: string;
  /** Absent for a `detection/v1` case (unknown). */
  plateColour?: PlateColour;
  vehicleClass: string;
  violationCode: string;
  observedAt: string;
  /** The owner's opaque registry reference (the commune police find the residence from it). */
  ownerRef: string;
  noticeId: string;
  /** The end of the 20-day response period the owner let pass. */
  periodEndsAt: string;
}

export interface AgencyWarningReceipt {
  /** The agency system's reference for the warning (an identifier). */
  receipt: string;
  /** True when the adapter had already accepted this warning id (a resend). */
  duplicate: boolean;
}

export interface AgencyWarningPort {
  send(warning: AgencyWarning): Promise<AgencyWarningReceipt>;
}

/** The agency system refused the warning for good: retrying will not help. */
export class AgencyWarningRejectedError extends AppError {
  readonly category = 'unprocessable' as const;
  readonly code = 'agency-warning-rejected';
}

/** The agency system could not be reached or failed temporarily: retry. */
export class AgencyWarningUnavailableError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'agency-warning-unavailable';
}
