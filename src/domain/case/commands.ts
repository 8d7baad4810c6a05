/**
 * Case commands. Facts owned by other aggregates arrive resolved in `context` (built by the command handler
 * with `cameraView`, `officerView`, `modelView` from those streams' folded states), so `decide` stays pure.
 * A missing view means "not registered / not enrolled" and is refused as such.
 */
import type { CommandBase } from '../decider.ts';
import type { CameraView } from '../camera/view.ts';
import type { ModelView } from '../model/view.ts';
import type { OfficerView } from '../officer/view.ts';
import type {
  AppealSignoff,
  DecisionSignoff,
  Detection,
  Offender,
  RecordSignoff,
  ReviewSignoff,
  TransferSignoff,
  VoidSignoff,
} from '../signoff/payloads.ts';
import type { EvidenceRef } from '../signoff/primitives.ts';
import { everyOf } from '../shared/exhaustive.ts';
import type { VerifiedDetection } from '../signoff/verified-detection.ts';
import type {
  PlateAlternative,
  CaseFlag,
  DerivedEvidence,
  ExplanationChannel,
  IssuedDocumentKind,
  NoticeChannel,
  PaymentChannel,
  ProcessingJob,
  TransferHandover,
  WarnedAgency,
} from './events.ts';
import type { EventRecord } from '../record.ts';

/**
 * Who acts, resolved: when the actor is an officer, the application service loads `officer-<actor.id>` and
 * passes its view here (undefined = not enrolled). Every case command carries it, and the decider authorises
 * every command against it through one rule (`authorization.ts`).
 */
export interface ActingOfficer {
  officer?: OfficerView | undefined;
}

interface CaseCommandBase extends CommandBase {
  caseId: string;
  context?: ActingOfficer;
}

interface SignedBy<S> {
  signoff: S;
  signature: string;
  keyId: string;
  context: { officer: OfficerView | undefined };
}

export type CaseCommand =
  /** Ingest a signed detection. `caseId` MUST be `caseIdForDetection(detection.detectionId)`. */
  | (CaseCommandBase & {
      type: 'RecordDetection';
      detection: Detection;
      signature: string;
      keyId: string;
      /**
       * `model`: the edge model version that made the detection, when there is one. `verified`: the ingest
       * route's proof that it verified this very detection's signature (signoff/verified-detection.ts).
       */
      context: { camera: CameraView | undefined; model?: ModelView | undefined; verified?: VerifiedDetection };
    })
  /** An AI reading of the plate (service actor, approved model). */
  | (CaseCommandBase & {
      type: 'RecognizePlate';
      plate: string;
      confidenceBp: number;
      sourceDigest: string;
      /** Other plates the reading could be, most probable first. */
      alternatives?: PlateAlternative[];
      context: { model: ModelView | undefined };
    })
  | (CaseCommandBase & {
      type: 'DeriveEvidence';
      sourceDigest: string;
      derived: DerivedEvidence;
      operation: string;
      parameters: Record<string, string | number | boolean>;
      producer: { library: string; version: string };
    })
  | (CaseCommandBase & { type: 'AttachEvidence'; evidence: EvidenceRef[]; reason: string })
  | (CaseCommandBase & { type: 'FlagCase'; flag: CaseFlag })
  /** Issued by the service that ran a background job of the case when the job failed for good. */
  | (CaseCommandBase & {
      type: 'RecordProcessingFailure';
      job: ProcessingJob;
      jobId: string;
      reasonCode: string;
      reason: string;
      attempts: number;
    })
  | (CaseCommandBase & { type: 'ConfirmReview' } & SignedBy<ReviewSignoff>)
  | (CaseCommandBase & { type: 'RejectReview' } & SignedBy<ReviewSignoff>)
  | (CaseCommandBase & { type: 'IdentifyOwner'; owner: Offender; registry: string; registrationRef?: string })
  | (CaseCommandBase & { type: 'RecordOwnerNotFound'; registry: string; reason: string })
  | (CaseCommandBase & { type: 'IssueNotice'; noticeId: string; channel: NoticeChannel })
  | (CaseCommandBase & { type: 'RecordNoticeDelivered'; noticeId: string })
  | (CaseCommandBase & { type: 'RecordNoticeDeliveryFailed'; noticeId: string; reason: string })
  /** Signed `transfer/v1`: hand the case to the police of the owner's province instead of a notice. */
  | (CaseCommandBase & {
      type: 'TransferCase';
      /**
       * Set by the application service from the node's configuration: `federation` when this node does not
       * serve the receiving province (the case is then closed here and relayed), else `in-node` (default).
       */
      handover?: TransferHandover;
    } & SignedBy<TransferSignoff>)
  /**
   * Open a case handed over by another node (service `federation-relay`): the sending log's `CaseTransferred`
   * record verbatim with its inclusion proof against the cosigned checkpoint, and the facts of the sending
   * case the service read from that log's verified records. `caseId` MUST be the sending case's id.
   */
  | (CaseCommandBase & {
      type: 'ReceiveCase';
      handover: {
        origin: string;
        logKey: string;
        /** The cosigned checkpoint text (note plus cosignature lines). */
        checkpoint: string;
        leafIndex: number;
        /** RFC 9162 inclusion proof of `leafIndex` in the checkpoint's tree, lowercase hex, leaf-up. */
        inclusionProof: string[];
        /** The sending log's `CaseTransferred` record, verbatim (its record hash is recomputed). */
        transferRecord: EventRecord;
        /** The sending node's court bundle of the case, kept here as a blob (the linked part of this case's bundles). */
        bundle?: { digest: string; size: number };
      };
      /** The sending case's facts, from its verified records. */
      facts: {
        detection: Detection;
        detectionSignature: string;
        detectionKeyId: string;
        review: { plate: string; violationCode: string; signedAt: string; officerKeyId: string };
        owner: Offender;
        /** Every original of the sending case (they travel by digest and are attached here). */
        originals: EvidenceRef[];
      };
      /** The witness verifier keys this node trusts: the checkpoint MUST carry a cosignature by one of them. */
      context: { trustedWitnesses: string[] };
    })
  | (CaseCommandBase & {
      type: 'SubmitExplanation';
      explanationId: string;
      channel: ExplanationChannel;
      statement: string;
    })
  /** Someone else drove: the driver (an individual, opaque registry reference) and their licence reference. */
  | (CaseCommandBase & { type: 'IdentifyDriver'; driver: Offender; licenceRef: string })
  /** No response 20 days after the notice `noticeId` (the command's `now` decides whether the period ran out). */
  | (CaseCommandBase & { type: 'RecordOwnerUnresponsive'; noticeId: string })
  /** The agency-warning worker: the warning reached `agency` (one `OwnerUnresponsive` named). */
  | (CaseCommandBase & { type: 'RecordAgencyWarningSent'; agency: WarnedAgency; warningId: string; receipt: string })
  /** Signed `record/v1`: the violation record (biên bản), by the officer who draws it up. */
  | (CaseCommandBase & { type: 'DrawViolationRecord' } & SignedBy<RecordSignoff>)
  | (CaseCommandBase & { type: 'DecidePenalty' } & SignedBy<DecisionSignoff>)
  /**
   * Record a document made from the case's events (its PDF's digest and template); `noticeId` for a notice,
   * `appealId` for an appeal's resolution.
   */
  | (CaseCommandBase & {
      type: 'RecordDocumentIssued';
      kind: IssuedDocumentKind;
      noticeId?: string;
      appealId?: string;
      digest: string;
      templateVersion: string;
    })
  /**
   * `amountVnd` MUST be the fine plus the late-payment surcharge due at `now`. By staff, or by the service
   * `payment-gateway` (channel `vietqr`, `gatewayRef` the bank's reference) once the bank's callback verified.
   */
  | (CaseCommandBase & { type: 'RecordPayment'; paymentRef: string; gatewayRef?: string; amountVnd: number; channel: PaymentChannel })
  | (CaseCommandBase & { type: 'FileAppeal'; appealId: string; grounds: string })
  /** Signed `appeal/v1`: the outcome and reason are the sign-off's; `appealId` MUST equal the signed one. */
  | (CaseCommandBase & { type: 'ResolveAppeal'; appealId: string } & SignedBy<AppealSignoff>)
  | (CaseCommandBase & { type: 'CloseCase' })
  /** Allowed only once one year has passed since observedAt without a decision. */
  | (CaseCommandBase & { type: 'ExpireCase' })
  /** A signed compensating event; allowed in any state but `voided`. */
  | (CaseCommandBase & { type: 'VoidCase' } & SignedBy<VoidSignoff>);

export type CaseCommandType = CaseCommand['type'];
export type CaseCommandOf<T extends CaseCommandType> = Extract<CaseCommand, { type: T }>;

/** Every case command type (the decider refuses any other); compiles only when it names them all. */
export const CASE_COMMAND_TYPES = everyOf<CaseCommandType>()([
  'RecordDetection',
  'RecognizePlate',
  'DeriveEvidence',
  'AttachEvidence',
  'FlagCase',
  'RecordProcessingFailure',
  'ConfirmReview',
  'RejectReview',
  'IdentifyOwner',
  'RecordOwnerNotFound',
  'IssueNotice',
  'RecordNoticeDelivered',
  'RecordNoticeDeliveryFailed',
  'TransferCase',
  'ReceiveCase',
  'SubmitExplanation',
  'IdentifyDriver',
  'RecordOwnerUnresponsive',
  'RecordAgencyWarningSent',
  'DrawViolationRecord',
  'DecidePenalty',
  'RecordDocumentIssued',
  'RecordPayment',
  'FileAppeal',
  'ResolveAppeal',
  'CloseCase',
  'ExpireCase',
  'VoidCase',
]);
