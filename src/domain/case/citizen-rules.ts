/**
 * The rules a `citizen` actor meets on the case (the citizen portal, docs/citizen-portal.md), on top of each
 * command's own rules. Citizens may answer a notice online (`SubmitExplanation`, `IdentifyDriver`) and appeal a
 * decision (`FileAppeal`, recorded beside the complaint that carries it); nothing else.
 *
 * - The actor is the vehicle's holder: its id is the holder pseudonym of the case's plate (`holderId`; never a
 *   name). The portal only finds cases through the plate its grant names; this is the decider's own guard.
 * - An answer to a notice comes online (channel `online`), once the case is noticed, within the response period
 *   of its first notice (20 days, Circular 73/2024 Art. 24; counted as `periodOfDays` counts, so never shorter
 *   than the date the portal shows).
 * - An organisation owning the vehicle names its driver before (or with) any explanation.
 * - An appeal comes within 90 days of the decision (Law on Complaints 2011 Art. 9).
 */
import { sha256Hex } from '../integrity/hash.ts';
import { assertNever } from '../shared/errors.ts';
import { InvalidCommandError } from '../signoff/errors.ts';
import type { CaseCommand } from './commands.ts';
import {
  NotTheVehicleHolderError,
  OrganisationMustNameDriverError,
  ProcedurePeriodElapsedError,
} from './errors.ts';
import { hasElapsed, periodOfDays, type PeriodEnd } from './periods.ts';
import { plateKey } from './plate-key.ts';
import type { ExistingCase } from './state.ts';

/** Days after the notice within which the owner answers it (Circular 73/2024 Art. 24). */
export const CITIZEN_RESPONSE_DAYS = 20;
/** Days after the decision within which a complaint or appeal is made (Law on Complaints 2011, Art. 9). */
export const CITIZEN_APPEAL_DAYS = 90;

/** The citizen pseudonym of a plate's holder: `holder-<16 hex of SHA-256("holder\0" + compact plate)>`. */
export function holderId(plateCompact: string): string {
  return `holder-${sha256Hex(`holder\0${plateCompact}`).slice(0, 16)}`;
}

/** The plate the case names: the one the review confirmed, else the camera's reading. */
function casePlateKey(kase: ExistingCase): string {
  return plateKey(kase.review?.plate ?? kase.detection.plateRead?.text ?? '');
}

/** The response period of the case's first notice, when it has one. */
export function citizenResponsePeriod(kase: ExistingCase): PeriodEnd | undefined {
  const first = kase.notices[0];
  return first ? periodOfDays(first.issuedAt, CITIZEN_RESPONSE_DAYS) : undefined;
}

type CitizenCaseCommand = Extract<CaseCommand, { type: 'SubmitExplanation' | 'IdentifyDriver' | 'FileAppeal' }>;

/** A citizen actor is the holder of the case's vehicle (checked by the decider for every citizen command). */
export function requireCitizenHolder(actor: { kind: string; id: string }, kase: ExistingCase): void {
  if (actor.kind === 'citizen' && actor.id !== holderId(casePlateKey(kase))) {
    throw new NotTheVehicleHolderError('A citizen may act only on the cases of the vehicle they hold', {});
  }
}

/**
 * Checks a citizen actor's command against the period, channel and driver rules above (after the command's own
 * idempotent-repeat check: a repeat stays a no-op); does nothing for any other actor kind.
 */
export function requireCitizenRules(command: CitizenCaseCommand, kase: ExistingCase, now: string): void {
  if (command.actor.kind !== 'citizen') return;
  switch (command.type) {
    case 'SubmitExplanation':
    case 'IdentifyDriver': {
      if (command.type === 'SubmitExplanation' && command.channel !== 'online') {
        throw new InvalidCommandError('A citizen explains online', { field: 'channel' });
      }
      const period = citizenResponsePeriod(kase);
      // Before any notice the command's own status rule refuses; only a running period is checked here.
      if (period && hasElapsed(period, now)) {
        throw new ProcedurePeriodElapsedError('The period to answer the notice has ended', { periodEndsAt: period.endsAt });
      }
      if (command.type === 'SubmitExplanation' && kase.owner?.kind === 'organisation' && !kase.driver) {
        throw new OrganisationMustNameDriverError('An organisation names the driver before explaining', {});
      }
      return;
    }
    case 'FileAppeal': {
      const decidedAt = kase.decision?.signedAt;
      const period = decidedAt ? periodOfDays(decidedAt, CITIZEN_APPEAL_DAYS) : undefined;
      if (period && hasElapsed(period, now)) {
        throw new ProcedurePeriodElapsedError('The period to appeal has ended', { periodEndsAt: period.endsAt });
      }
      return;
    }
    default:
      assertNever(command, 'citizen case command');
  }
}
