/**
 * Case application services: one thin function per case command. Each resolves the context the case decider
 * needs (camera, officer, model views from their streams), stamps `now` from the clock, and runs the command
 * through `handleCommand` on `case-<caseId>`.
 *
 * Authorisation: whenever the caller is an officer, EVERY service loads `officer-<actor.id>` and passes the
 * view in `context.officer`; the decider authorises every command against it with one rule
 * (`src/domain/case/authorization.ts`). No service decides who may act.
 *
 * Retry policy: commands a worker or registry produces are safe to retry on a conflict (the decider re-checks
 * them against newer history and returns [] when already satisfied). Officer sign-offs — ConfirmReview,
 * RejectReview, DecidePenalty, VoidCase, ResolveAppeal — are not: the signature covers what the officer saw at a revision,
 * so a conflict is surfaced and the officer reloads.
 */
import { caseDecider } from '../domain/case/decider.ts';
import type { CaseCommand, CaseCommandOf, CaseCommandType } from '../domain/case/commands.ts';
import { parseCaseEvent } from '../domain/case/events.ts';
import type { CaseState } from '../domain/case/state.ts';
import { caseIdForDetection } from '../domain/ids.ts';
import type { OfficerView } from '../domain/officer/view.ts';
import { streams } from '../domain/record.ts';
import { InvalidCommandError } from '../domain/signoff/errors.ts';
import type { Detection } from '../domain/signoff/payloads.ts';
import { IdentifierSchema } from '../domain/signoff/primitives.ts';
import { commandExecutor } from './aggregate.ts';
import { loadCameraView, loadModelView, loadOfficerView } from './context.ts';
import type { CommandDeps } from './deps.ts';
import type { Caller, CommandFields, CommandOptions, CommandOutcome } from './outcome.ts';
import type { CameraView } from '../domain/camera/view.ts';
import type { VerifiedDetection } from '../domain/signoff/verified-detection.ts';

export interface CaseOutcome extends CommandOutcome<CaseState> {
  caseId: string;
}

/** Per case command: whether it is a signed officer command, not safe to retry (see the module comment). */
const SIGNED = {
  RecordDetection: false,
  RecognizePlate: false,
  DeriveEvidence: false,
  AttachEvidence: false,
  FlagCase: false,
  RecordProcessingFailure: false,
  ConfirmReview: true,
  RejectReview: true,
  IdentifyOwner: false,
  RecordOwnerNotFound: false,
  IssueNotice: false,
  RecordNoticeDelivered: false,
  RecordNoticeDeliveryFailed: false,
  TransferCase: true,
  ReceiveCase: false,
  SubmitExplanation: false,
  IdentifyDriver: false,
  RecordOwnerUnresponsive: false,
  RecordDocumentIssued: false,
  RecordAgencyWarningSent: false,
  DrawViolationRecord: true,
  DecidePenalty: true,
  RecordPayment: false,
  FileAppeal: false,
  ResolveAppeal: true,
  CloseCase: false,
  ExpireCase: false,
  VoidCase: true,
} as const satisfies Record<CaseCommandType, boolean>;
type SignedType = { [T in CaseCommandType]: (typeof SIGNED)[T] extends true ? T : never }[CaseCommandType];

const executeOnCaseStream = commandExecutor({
  stream: (command) => streams.case(command.caseId),
  decider: caseDecider,
  parseEvent: parseCaseEvent,
  retrySafe: (command) => !SIGNED[command.type],
  recordProvince: (state) => (state.status === 'none' ? undefined : state.province),
});

/** Runs a fully built case command (context included). */
export async function executeCaseCommand(
  deps: CommandDeps,
  command: CaseCommand,
  options: CommandOptions = {},
): Promise<CaseOutcome> {
  return { caseId: command.caseId, ...(await executeOnCaseStream(deps, command, options)) };
}

type Fields<T extends CaseCommandType> = CommandFields<CaseCommandOf<T>>;
type WithoutContext<T extends CaseCommandType> = Omit<Fields<T>, 'context'>;

function build<T extends CaseCommandType>(deps: CommandDeps, caller: Caller, type: T, fields: object): CaseCommandOf<T> {
  return { ...fields, type, now: deps.clock.now(), actor: caller.actor, province: caller.province } as unknown as CaseCommandOf<T>;
}

/** The acting officer's view when the caller is an officer (undefined when not enrolled, or not an officer). */
async function actingOfficer(deps: CommandDeps, caller: Caller): Promise<OfficerView | undefined> {
  return caller.actor.kind === 'officer' ? await loadOfficerView(deps.store, caller.actor.id) : undefined;
}

/** Builds a command with the caller's officer view merged into its context, and runs it. */
async function run<T extends CaseCommandType>(
  deps: CommandDeps,
  caller: Caller,
  type: T,
  fields: object,
  options?: CommandOptions,
): Promise<CaseOutcome> {
  const officer = await actingOfficer(deps, caller);
  const given = (fields as { context?: object }).context ?? {};
  const context = { ...given, ...(caller.actor.kind === 'officer' ? { officer } : {}) };
  return executeCaseCommand(deps, build(deps, caller, type, { ...fields, context }), options);
}

/** A command whose decider needs no context beyond the acting officer. */
function plain<T extends CaseCommandType>(type: T) {
  return (deps: CommandDeps, caller: Caller, fields: WithoutContext<T>, options?: CommandOptions) =>
    run(deps, caller, type, fields, options);
}

/** A signed officer command: the signing officer is the caller (their view is loaded like every officer's). */
function signed<T extends SignedType>(type: T) {
  return (deps: CommandDeps, caller: Caller, fields: WithoutContext<T>, options?: CommandOptions) =>
    run(deps, caller, type, fields, options);
}

export interface IngestDetectionInput {
  detection: Detection;
  signature: string;
  keyId: string;
  /** The edge model version that made the detection, when there is one. */
  modelId?: string;
  /**
   * From the ingest route: the camera view it authenticated against and its proof of the signature check, so
   * the camera stream is read and the signature verified once per request. The decider still applies every
   * rule to this view and verifies the signature itself unless the proof covers exactly this detection.
   */
  authenticated?: { camera: CameraView; verified: VerifiedDetection };
}

export interface IngestOutcome extends CaseOutcome {
  /** False when this detection had already been ingested: nothing was appended. */
  created: boolean;
}

/**
 * Ingests a signed detection into `case-<caseIdForDetection(detectionId)>`. Idempotent on the detection id,
 * also under concurrency: racing ingests target the same stream, one append with `no_stream` wins, and the
 * others reload and get [] from the decider, returning the existing case with `created: false`.
 */
export async function ingestDetection(
  deps: CommandDeps,
  caller: Caller,
  input: IngestDetectionInput,
  options: Omit<CommandOptions, 'expectedRevision'> = {},
): Promise<IngestOutcome> {
  // The ids below become stream names before the decider sees the detection: check their shape first.
  const detection: unknown = input?.detection;
  const ids = typeof detection === 'object' && detection !== null ? (detection as Record<string, unknown>) : {};
  requireIdentifier(ids.detectionId, 'detection.detectionId');
  requireIdentifier(ids.cameraId, 'detection.cameraId');
  if (input.modelId !== undefined) requireIdentifier(input.modelId, 'modelId');
  const caseId = caseIdForDetection(input.detection.detectionId);
  const [camera, model] = await Promise.all([
    input.authenticated?.camera ?? loadCameraView(deps.store, input.detection.cameraId),
    input.modelId === undefined ? Promise.resolve(undefined) : loadModelView(deps.store, input.modelId),
  ]);
  const verified = input.authenticated?.verified;
  const context = {
    camera,
    ...(input.modelId === undefined ? {} : { model }),
    ...(verified === undefined ? {} : { verified }),
  };
  const outcome = await run(
    deps,
    caller,
    'RecordDetection',
    { caseId, detection: input.detection, signature: input.signature, keyId: input.keyId, context },
    options,
  );
  return { ...outcome, created: outcome.events.length > 0 };
}

/** An AI plate reading; the model's approval is checked by the decider against its current view. */
export async function recordPlateReading(
  deps: CommandDeps,
  caller: Caller,
  fields: WithoutContext<'RecognizePlate'> & { modelId: string },
  options?: CommandOptions,
): Promise<CaseOutcome> {
  const { modelId, ...rest } = fields;
  requireIdentifier(modelId, 'modelId');
  const model = await loadModelView(deps.store, modelId);
  return run(deps, caller, 'RecognizePlate', { ...rest, context: { model } }, options);
}

export const recordDerivedEvidence = plain('DeriveEvidence');
export const attachEvidence = plain('AttachEvidence');
export const flagCase = plain('FlagCase');
export const recordProcessingFailure = plain('RecordProcessingFailure');
export const confirmReview = signed('ConfirmReview');
export const rejectReview = signed('RejectReview');
export const decidePenalty = signed('DecidePenalty');
export const transferCase = signed('TransferCase');
export const drawViolationRecord = signed('DrawViolationRecord');
/** Opens a case handed over by another node (caller: the `federation-relay` service; docs/federation.md). */
export function receiveCase(
  deps: CommandDeps,
  caller: Caller,
  fields: WithoutContext<'ReceiveCase'>,
  trustedWitnesses: string[],
  options?: CommandOptions,
): Promise<CaseOutcome> {
  return run(deps, caller, 'ReceiveCase', { ...fields, context: { trustedWitnesses } }, options);
}
export const submitExplanation = plain('SubmitExplanation');
export const identifyDriver = plain('IdentifyDriver');
export const recordOwnerUnresponsive = plain('RecordOwnerUnresponsive');
export const recordDocumentIssued = plain('RecordDocumentIssued');
export const recordAgencyWarningSent = plain('RecordAgencyWarningSent');
export const voidCase = signed('VoidCase');
export const identifyOwner = plain('IdentifyOwner');
export const recordOwnerNotFound = plain('RecordOwnerNotFound');
export const issueNotice = plain('IssueNotice');
export const recordNoticeDelivered = plain('RecordNoticeDelivered');
export const recordNoticeDeliveryFailed = plain('RecordNoticeDeliveryFailed');
export const recordPayment = plain('RecordPayment');
export const fileAppeal = plain('FileAppeal');
export const resolveAppeal = signed('ResolveAppeal');
export const closeCase = plain('CloseCase');
export const expireCase = plain('ExpireCase');

function requireIdentifier(value: unknown, field: string): asserts value is string {
  if (!IdentifierSchema.safeParse(value).success) throw new InvalidCommandError(`${field} is not an identifier`, { field });
}
