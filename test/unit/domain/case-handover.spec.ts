/**
 * Case handover between provinces across nodes (docs/federation.md "Case handover"; Circular 73/2024 Art. 24):
 * the sending node closes its case with the signed transfer; the receiving node opens it with `CaseReceived`
 * only when the sending log's transfer record is proven under a checkpoint cosigned by a trusted witness.
 * One given/when/then spec per rule and per refusal.
 */
import { expect } from 'chai';
import { FEDERATION_RELAY_ACTOR } from '../../../src/domain/case/authorization.ts';
import type { CaseCommand, CaseCommandOf } from '../../../src/domain/case/commands.ts';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import {
  CaseEndedError,
  HandoverConflictError,
  HandoverMismatchError,
  HandoverProofError,
  InvalidTransferTargetError,
} from '../../../src/domain/case/errors.ts';
import { parseCaseEvent, type CaseEvent } from '../../../src/domain/case/events.ts';
import type { ExistingCase } from '../../../src/domain/case/state.ts';
import { fold } from '../../../src/domain/decider.ts';
import {
  addSignatureLines,
  cosignCheckpoint,
  signCheckpoint,
  verifierKey,
  witnessVerifierKey,
} from '../../../src/domain/integrity/checkpoint.ts';
import { publicKeyFromSeed } from '../../../src/domain/integrity/ed25519.ts';
import { recordHash, sha256, toHex } from '../../../src/domain/integrity/hash.ts';
import { inclusionProof, merkleRoot, recordLeafHash } from '../../../src/domain/integrity/merkle.ts';
import { OfficerOutsideProvinceError } from '../../../src/domain/officer/errors.ts';
import { GENESIS_PREV, streams, type EventRecord } from '../../../src/domain/record.ts';
import { ActorNotAllowedError } from '../../../src/domain/signoff/errors.ts';
import { spec } from '../../support/given-when-then.ts';
import {
  CASE_ID,
  carViolation,
  caseCommand,
  confirmReview,
  drawRecord,
  officer,
  OVERVIEW,
  PLATE,
  PLATE_CROP,
  REVIEWED_AT,
  reviewer,
  transferCase,
  TRANSFERRED_AT,
  violationDetected,
} from './case-fixtures.ts';
import { HANOI, HCMC } from './fixtures.ts';

const caseSpec = () => spec(caseDecider, { parse: parseCaseEvent });
const after = (history: CaseEvent[], command: CaseCommand): CaseEvent[] => [
  ...history,
  ...caseDecider.decide(command, fold(caseDecider, history)),
];
const types = (events: CaseEvent[]) => events.map((e) => e.type);

const OWNER = { kind: 'individual', ref: 'owner-0001' } as const;
const RECEIVED_AT = '2026-03-13T02:00:00.000Z';
const ORIGIN = 'vn-traffic/province-01';
const logSeed = sha256('test log key of province 01');
const witnessSeed = sha256('test national witness key');
const strangerSeed = sha256('some other witness');
const LOG_KEY = verifierKey(ORIGIN, publicKeyFromSeed(logSeed));
const WITNESS = 'vn-traffic/national-witness';
const WITNESS_KEY = witnessVerifierKey(WITNESS, publicKeyFromSeed(witnessSeed));
const STRANGER_KEY = witnessVerifierKey('someone/else', publicKeyFromSeed(strangerSeed));

// The sending node's history: detected, reviewed, owner known, then transferred across nodes.
const detected = [violationDetected()];
const confirmed = after(detected, confirmReview(detected));
const ownerIdentified = after(
  confirmed,
  caseCommand({ type: 'IdentifyOwner', owner: OWNER, registry: 'reg', now: '2026-03-11T03:00:00.000Z' }),
);
const federationTransfer = (history: CaseEvent[]): CaseCommandOf<'TransferCase'> => ({
  ...transferCase(history),
  handover: 'federation',
});
const handedOver = after(ownerIdentified, federationTransfer(ownerIdentified));
const hcmcOfficer = officer('off-79-0001', { province: HCMC });

/** The sending log's record of an event of the case stream at `revision` (what its node appended). */
function sendingRecord(event: CaseEvent, revision: number): EventRecord {
  return {
    v: 1,
    id: '7c0e4f7e-0000-4000-8000-00000000000' + String(revision),
    stream: streams.case(CASE_ID),
    revision,
    type: event.type,
    data: event.data as unknown as EventRecord['data'],
    meta: { actor: reviewer.actor, province: HANOI, recordedAt: TRANSFERRED_AT },
    prev: GENESIS_PREV,
  };
}
const transferEvent = handedOver.find((e) => e.type === 'CaseTransferred')!;
const TRANSFER_RECORD = sendingRecord(transferEvent, ownerIdentified.length);

interface Built {
  checkpoint: string;
  leafIndex: number;
  inclusionProof: string[];
}
/**
 * A small log holding `record` at leaf 3 of 6 (other leaves are stand-in record hashes), its checkpoint signed
 * by `seed` under `origin`, cosigned by each witness seed given.
 */
function logWith(
  record: EventRecord,
  opts: { origin?: string; seed?: Uint8Array; witnesses?: [string, Uint8Array][] } = {},
): Built {
  const hashes = [0, 1, 2, 3, 4, 5].map((i) => (i === 3 ? recordHash(record) : toHex(sha256(`leaf ${i}`))));
  const leaves = hashes.map(recordLeafHash);
  const origin = opts.origin ?? ORIGIN;
  const note = signCheckpoint(
    { origin, size: leaves.length, root: merkleRoot(leaves), time: '2026-03-12T02:00:05.000Z' },
    opts.seed ?? logSeed,
  );
  const lines = (opts.witnesses ?? [[WITNESS, witnessSeed]]).map(([name, seed]) => cosignCheckpoint(note, name, seed, 1_773_280_805));
  return {
    checkpoint: addSignatureLines(note, lines),
    leafIndex: 3,
    inclusionProof: inclusionProof(leaves, 3, leaves.length).map(toHex),
  };
}

const detectionEvent = detected[0]! as Extract<CaseEvent, { type: 'ViolationDetected' }>;
const FACTS: CaseCommandOf<'ReceiveCase'>['facts'] = {
  detection: detectionEvent.data.detection,
  detectionSignature: detectionEvent.data.signature,
  detectionKeyId: detectionEvent.data.keyId,
  review: { plate: PLATE, violationCode: carViolation().code, signedAt: REVIEWED_AT, officerKeyId: reviewer.key.keyId },
  owner: OWNER,
  originals: detectionEvent.data.detection.evidence,
};

function receiveCase(
  overrides: {
    record?: EventRecord;
    built?: Built;
    facts?: Partial<CaseCommandOf<'ReceiveCase'>['facts']>;
    province?: string;
    trustedWitnesses?: string[];
    actor?: CaseCommand['actor'];
    origin?: string;
    logKey?: string;
  } = {},
): CaseCommandOf<'ReceiveCase'> {
  const record = overrides.record ?? TRANSFER_RECORD;
  const built = overrides.built ?? logWith(record);
  return {
    type: 'ReceiveCase',
    caseId: CASE_ID,
    province: overrides.province ?? HCMC,
    now: RECEIVED_AT,
    actor: overrides.actor ?? FEDERATION_RELAY_ACTOR,
    handover: {
      origin: overrides.origin ?? ORIGIN,
      logKey: overrides.logKey ?? LOG_KEY,
      checkpoint: built.checkpoint,
      leafIndex: built.leafIndex,
      inclusionProof: built.inclusionProof,
      transferRecord: record,
    },
    facts: { ...FACTS, ...overrides.facts },
    context: { trustedWitnesses: overrides.trustedWitnesses ?? [WITNESS_KEY] },
  };
}
const received = caseSpec().given([]).when(receiveCase()).thenEvents(() => undefined).events;

describe('case handover across nodes', () => {
  describe('sending node: CaseTransferred with handover `federation`', () => {
    it('records the signed transfer and closes the case here (reason `transferred`)', () => {
      const state = caseSpec()
        .given(ownerIdentified)
        .when(federationTransfer(ownerIdentified))
        .thenEvents((events) => {
          expect(types(events)).to.deep.equal(['CaseTransferred', 'CaseClosed']);
          const [transferred, closed] = events;
          expect(transferred?.type === 'CaseTransferred' && transferred.data.handover).to.equal('federation');
          expect(closed?.type === 'CaseClosed' && closed.data.reason).to.equal('transferred');
        }).state as ExistingCase;
      expect(state.status).to.equal('closed');
      expect(state.transfer?.handover).to.equal('federation');
    });
    it('an in-node transfer stays open here (the receiving officers act on this node)', () => {
      caseSpec()
        .given(ownerIdentified)
        .when(transferCase(ownerIdentified))
        .thenEvents((events) => expect(types(events)).to.deep.equal(['CaseTransferred']));
    });
    it('refuses a notice or a record on the sending node afterwards, by either province', () => {
      caseSpec()
        .given(handedOver)
        .when(caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'post' }))
        .thenThrows(CaseEndedError);
      caseSpec()
        .given(handedOver)
        .when({ ...drawRecord(handedOver, {}, { by: hcmcOfficer }), province: HCMC })
        .thenThrows(CaseEndedError);
    });
  });

  describe('receiving node: ReceiveCase → CaseReceived + EvidenceAttached', () => {
    it('opens the same case id for the receiving province, naming the sending record, leaf and checkpoint', () => {
      expect(types(received)).to.deep.equal(['CaseReceived', 'EvidenceAttached']);
      const [first, attached] = received;
      if (first?.type !== 'CaseReceived' || attached?.type !== 'EvidenceAttached') throw new Error('unexpected events');
      expect(first.data.province).to.equal(HCMC);
      expect(first.data.from).to.include({ origin: ORIGIN, province: HANOI, caseId: CASE_ID, leafIndex: 3 });
      expect(first.data.from.recordHash).to.equal(recordHash(TRANSFER_RECORD));
      expect(first.data.from.checkpoint).to.contain(`— ${WITNESS} `);
      expect(first.data.transfer.signoff.toProvince).to.equal(HCMC);
      expect(attached.data.evidence.map((e) => e.digest).sort()).to.deep.equal([OVERVIEW, PLATE_CROP]);
      const state = fold(caseDecider, received) as ExistingCase;
      expect(state.status).to.equal('owner-identified');
      expect(state.province).to.equal(HCMC);
      expect(state.owner).to.deep.equal(OWNER);
      expect(state.received?.origin).to.equal(ORIGIN);
    });
    it('carries on in the receiving province: its officer notices and draws the record; the sending province cannot', () => {
      const noticed = after(received, {
        ...caseCommand<CaseCommandOf<'IssueNotice'>>({ type: 'IssueNotice', noticeId: 'ntc-79', channel: 'post' }),
        province: HCMC,
        actor: hcmcOfficer.actor,
        context: { officer: hcmcOfficer.view },
      });
      expect(types(noticed).at(-1)).to.equal('NoticeIssued');
      caseSpec()
        .given(noticed)
        .when({ ...drawRecord(noticed, {}, { by: hcmcOfficer }), province: HCMC })
        .thenEvents((events) => expect(types(events)).to.deep.equal(['ViolationRecordDrawn']));
      caseSpec()
        .given(received)
        .when({ ...caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'post' }), province: HCMC })
        .thenThrows(OfficerOutsideProvinceError);
    });
    it('is idempotent: the same handover again records nothing; another record under the same id conflicts', () => {
      caseSpec().given(received).when(receiveCase()).thenNothing();
      const other = { ...TRANSFER_RECORD, id: '7c0e4f7e-0000-4000-8000-0000000000ff' };
      caseSpec().given(received).when(receiveCase({ record: other })).thenThrows(HandoverConflictError);
    });
  });

  describe('receiving node: refusals (never trust the relay)', () => {
    it('refuses a checkpoint cosigned by no witness this node trusts', () => {
      caseSpec().given([]).when(receiveCase({ trustedWitnesses: [STRANGER_KEY] })).thenThrows(HandoverProofError);
      caseSpec()
        .given([])
        .when(receiveCase({ built: logWith(TRANSFER_RECORD, { witnesses: [] }) }))
        .thenThrows(HandoverProofError);
    });
    it('refuses a checkpoint not signed by the sending log key, or of another log', () => {
      caseSpec()
        .given([])
        .when(receiveCase({ built: logWith(TRANSFER_RECORD, { seed: strangerSeed }) }))
        .thenThrows(HandoverProofError);
      const otherOrigin = 'vn-traffic/province-48';
      caseSpec()
        .given([])
        .when(receiveCase({ built: logWith(TRANSFER_RECORD, { origin: otherOrigin }), logKey: LOG_KEY }))
        .thenThrows(HandoverProofError);
    });
    it('refuses a record that is not the leaf the proof places under the root (tampered, or another leaf)', () => {
      const built = logWith(TRANSFER_RECORD);
      const tampered = { ...TRANSFER_RECORD, meta: { ...TRANSFER_RECORD.meta, recordedAt: '2026-03-12T03:00:00.000Z' } };
      caseSpec().given([]).when(receiveCase({ record: tampered, built })).thenThrows(HandoverProofError);
      caseSpec()
        .given([])
        .when(receiveCase({ built: { ...built, leafIndex: 2 } }))
        .thenThrows(HandoverProofError);
      caseSpec()
        .given([])
        .when(receiveCase({ built: { ...built, inclusionProof: built.inclusionProof.slice(1) } }))
        .thenThrows(HandoverProofError);
    });
    it('refuses a proven record that is not a federation transfer of this case', () => {
      const inNode = sendingRecord(after(ownerIdentified, transferCase(ownerIdentified)).at(-1)!, ownerIdentified.length);
      caseSpec().given([]).when(receiveCase({ record: inNode })).thenThrows(HandoverMismatchError);
      const notice = sendingRecord({ type: 'NoticeIssued', data: { noticeId: 'n', channel: 'post', issuedAt: TRANSFERRED_AT } }, 4);
      caseSpec().given([]).when(receiveCase({ record: notice })).thenThrows(HandoverMismatchError);
    });
    it('refuses a transfer to another province than the one receiving it', () => {
      caseSpec().given([]).when(receiveCase({ province: '48' })).thenThrows(InvalidTransferTargetError);
    });
    it('refuses facts that differ from what the transfer officer signed', () => {
      caseSpec()
        .given([])
        .when(receiveCase({ facts: { originals: FACTS.originals.slice(0, 1) } }))
        .thenThrows(HandoverMismatchError);
      caseSpec()
        .given([])
        .when(receiveCase({ facts: { review: { ...FACTS.review, plate: '51A-999.99' } } }))
        .thenThrows(HandoverMismatchError);
      caseSpec()
        .given([])
        .when(receiveCase({ facts: { detection: { ...FACTS.detection, detectionId: '0e4a1c52-9d1f-4d8e-9a53-3f1c2b7a0001' } } }))
        .thenThrows(HandoverMismatchError);
    });
    it('refuses any actor but the federation relay service', () => {
      caseSpec().given([]).when(receiveCase({ actor: hcmcOfficer.actor })).thenThrows(ActorNotAllowedError);
      caseSpec()
        .given([])
        .when(receiveCase({ actor: { kind: 'service', id: 'payment-gateway' } }))
        .thenThrows(ActorNotAllowedError);
    });
  });
});
