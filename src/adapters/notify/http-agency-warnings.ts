/**
 * The HTTP adapter of the agency-warning port (src/ports/agency-warnings.ts): one endpoint URL per agency kind
 * (AGENCY_WARNING_URL_REGISTRATION / _INSPECTION / _COMMUNE_POLICE), each request bearer-authenticated and/or
 * HMAC-signed, with a timeout, the warning id as `Idempotency-Key`. Contract: agency-warning-contract.ts.
 *
 * Errors are the port's: `AgencyWarningUnavailableError` (category `unavailable`: the queue retries) for a
 * timeout, a network failure, 408, 429, 5xx or a success without a readable receipt; `AgencyWarningRejectedError`
 * (category `unprocessable`: the job fails at once and is kept as a dead letter) for any other answer, including
 * 401/403, which a retry with the same credentials cannot fix. Nothing here logs: the body names a plate and an
 * owner reference, and the credentials are secrets.
 */
import type { WarnedAgency } from '../../domain/case/events.ts';
import {
  AgencyWarningRejectedError,
  AgencyWarningUnavailableError,
  type AgencyWarning,
  type AgencyWarningPort,
  type AgencyWarningReceipt,
} from '../../ports/agency-warnings.ts';
import { readCappedText } from '../http/capped-body.ts';
import { AGENCY_SIGNATURE_HEADER, AgencyReceiptSchema, AgencyWarningBodySchema, encodeWarningBody, signWarning } from './agency-warning-contract.ts';

export interface HttpAgencyWarningsOptions {
  /** The endpoint each agency kind's warnings are POSTed to. */
  endpoints: Readonly<Record<WarnedAgency, string>>;
  /** Sent as `Authorization: Bearer …`. */
  token?: string | undefined;
  /** HMAC-SHA256 key for `X-Agency-Signature`. */
  secret?: Uint8Array | undefined;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** The clock the signature's `t` comes from (tests); default Date.now. */
  now?: () => number;
}

const TEMPORARY_STATUSES = new Set([408, 425, 429]);
/** An answer is a receipt; anything longer is not read further (a hostile or broken server cannot fill memory). */
const MAX_ANSWER_BYTES = 16 * 1024;


export class HttpAgencyWarnings implements AgencyWarningPort {
  constructor(private readonly options: HttpAgencyWarningsOptions) {
    if (!options.token && !options.secret) throw new Error('HttpAgencyWarnings needs a bearer token or a signing secret');
  }

  async send(warning: AgencyWarning): Promise<AgencyWarningReceipt> {
    const endpoint = this.options.endpoints[warning.agency];
    // Only the documented fields leave the node, whatever else a caller put on the object.
    const parsed = AgencyWarningBodySchema.safeParse({
      warningId: warning.warningId,
      caseId: warning.caseId,
      agency: warning.agency,
      province: warning.province,
      plate: warning.plate,
      ...(warning.plateColour !== undefined ? { plateColour: warning.plateColour } : {}),
      vehicleClass: warning.vehicleClass,
      violationCode: warning.violationCode,
      observedAt: warning.observedAt,
      ownerRef: warning.ownerRef,
      noticeId: warning.noticeId,
      periodEndsAt: warning.periodEndsAt,
    });
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))];
      throw new AgencyWarningRejectedError('The warning does not fit the agency contract', { agency: warning.agency, fields });
    }
    const body = encodeWarningBody(parsed.data);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': warning.warningId,
    };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (this.options.secret) headers[AGENCY_SIGNATURE_HEADER] = signWarning(this.options.secret, body, (this.options.now ?? Date.now)());

    let response: Response;
    let text: string | null;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      text = await readCappedText(response, MAX_ANSWER_BYTES);
    } catch (error) {
      const timedOut = (error as { name?: string })?.name === 'TimeoutError';
      throw new AgencyWarningUnavailableError(timedOut ? 'The agency system timed out' : 'The agency system could not be reached', {
        agency: warning.agency,
      });
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      let answer: unknown;
      try {
        answer = text === null ? undefined : JSON.parse(text);
      } catch {
        answer = undefined;
      }
      const receipt = AgencyReceiptSchema.safeParse(answer);
      if (!receipt.success) throw new AgencyWarningUnavailableError('The agency system accepted the warning without a readable receipt', { agency: warning.agency, status });
      return { receipt: receipt.data.receipt, duplicate: receipt.data.duplicate === true };
    }
    if (status >= 500 || TEMPORARY_STATUSES.has(status)) {
      throw new AgencyWarningUnavailableError(`The agency system answered ${status}`, { agency: warning.agency, status });
    }
    throw new AgencyWarningRejectedError(`The agency system refused the warning (${status})`, { agency: warning.agency, status });
  }
}
