/**
 * A local STAND-IN for the agencies' systems (vehicle registration, vehicle inspection, commune police), which
 * cannot exist here: it accepts agency warnings in memory, once per `warningId` (a repeat answers the same
 * receipt, `duplicate: true`), and can be told to fail the next N sends (temporarily) so retries can be tested.
 * The node uses it when no agency endpoint is configured (AGENCY_WARNING_URL_*: then the HTTP adapter). It keeps what it
 * received only in this process's memory and logs nothing.
 */
import {
  AgencyWarningUnavailableError,
  type AgencyWarning,
  type AgencyWarningPort,
  type AgencyWarningReceipt,
} from '../../ports/agency-warnings.ts';

export interface ReceivedWarning {
  warning: AgencyWarning;
  receipt: string;
}

export class StandInAgencyWarnings implements AgencyWarningPort {
  /** Accepted warnings, one per warning id, in arrival order. */
  readonly received: ReceivedWarning[] = [];
  /** Every send, including refused and repeated ones. */
  attempts = 0;
  #failures = 0;
  readonly #byId = new Map<string, string>();

  /** The next `count` sends fail as if the agency system were unreachable. */
  failNext(count: number): void {
    this.#failures = count;
  }

  async send(warning: AgencyWarning): Promise<AgencyWarningReceipt> {
    this.attempts++;
    if (this.#failures > 0) {
      this.#failures--;
      throw new AgencyWarningUnavailableError('The agency system (stand-in) is unavailable', { agency: warning.agency });
    }
    const known = this.#byId.get(warning.warningId);
    if (known !== undefined) return { receipt: known, duplicate: true };
    const receipt = `stand-in-${warning.agency}-${String(this.received.length + 1).padStart(6, '0')}`;
    this.#byId.set(warning.warningId, receipt);
    this.received.push({ warning: structuredClone(warning), receipt });
    return { receipt, duplicate: false };
  }
}
