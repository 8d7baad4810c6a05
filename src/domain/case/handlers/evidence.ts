/** Case command handlers for the evidence a case holds: plate readings, derived and attached evidence, flags, failed jobs. */
import { isModelApproved } from '../../model/view.ts';
import { parseOrThrow } from '../../signoff/builders.ts';
import { requireText } from '../../signoff/guards.ts';
import { EvidenceRefSchema } from '../../signoff/primitives.ts';
import { DuplicateEvidenceError, ModelNotApprovedError, UnknownEvidenceError } from '../errors.ts';
import { CaseEventSchemas, CaseFlagSchema, PLATE_DOUBT_BP, type CaseEvent } from '../events.ts';
import { plateKey, samePlate } from '../plate-key.ts';
import { requireStatus, heldDigests, type CaseHandler } from './shared.ts';

export const recognizePlate: CaseHandler<'RecognizePlate'> = (command, { kase, now }) => {
  const model = command.context?.model;
  if (!isModelApproved(model)) {
    throw new ModelNotApprovedError('Plate readings come only from an approved model version', {
      status: model?.status ?? 'unregistered',
    });
  }
  requireStatus(kase, command, ['detected']);
  if (!heldDigests(kase).has(command.sourceDigest))
    throw new UnknownEvidenceError('The source evidence is not held by the case', {});
  const data = {
    plate: command.plate,
    compact: typeof command.plate === 'string' ? plateKey(command.plate) || command.plate : '',
    confidenceBp: command.confidenceBp,
    sourceDigest: command.sourceDigest,
    model: { modelId: model.modelId, name: model.name, version: model.version },
    recognizedAt: now,
    ...(command.alternatives !== undefined && command.alternatives.length > 0 ? { alternatives: command.alternatives } : {}),
  };
  const reading = parseOrThrow(CaseEventSchemas.PlateRecognized, data, 'plate reading');
  const events: CaseEvent[] = [{ type: 'PlateRecognized', data: reading }];
  // A doubtful reading is flagged once per case; the officer's signed plate answers it (ADVISORY_FLAGS).
  const inDoubt = reading.confidenceBp < PLATE_DOUBT_BP || reading.alternatives !== undefined;
  if (inDoubt && !kase.flags.some((f) => f.flag === 'plate-doubt')) {
    const others = (reading.alternatives ?? []).map((a) => `${a.plate} (${a.shareBp} bp)`).join(', ');
    events.push({
      type: 'CaseFlagged',
      data: {
        flag: {
          flag: 'plate-doubt',
          detail: `The AI plate reading is in doubt (${reading.confidenceBp} bp)${others ? `; it could also be ${others}` : ''}`,
        },
        flaggedAt: now,
      },
    });
  }
  const cameraRead = kase.detection.plateRead?.text;
  const alreadyFlagged = kase.flags.some((f) => f.flag === 'plate-mismatch');
  if (cameraRead !== undefined && !samePlate(cameraRead, command.plate) && !alreadyFlagged) {
    events.push({
      type: 'CaseFlagged',
      data: {
        flag: {
          flag: 'plate-mismatch',
          detail: 'The AI plate reading differs from the camera plate reading',
        },
        flaggedAt: now,
      },
    });
  }
  return events;
};

export const deriveEvidence: CaseHandler<'DeriveEvidence'> = (command, { kase, now }) => {
  const data = parseOrThrow(
    CaseEventSchemas.EvidenceDerived,
    {
      sourceDigest: command.sourceDigest,
      derived: command.derived,
      operation: command.operation,
      parameters: command.parameters,
      producer: command.producer,
      derivedAt: now,
    },
    'derived evidence',
  );
  const held = heldDigests(kase);
  if (!held.has(data.sourceDigest))
    throw new UnknownEvidenceError('The source evidence is not held by the case', {});
  if (held.has(data.derived.digest)) {
    // A worker retry of the same derivation is a no-op; anything else reusing the digest is a conflict.
    const same = kase.derivations.some(
      (d) =>
        d.derived.digest === data.derived.digest &&
        d.sourceDigest === data.sourceDigest &&
        d.operation === data.operation,
    );
    if (same) return [];
    throw new DuplicateEvidenceError('The derived digest is already held by the case', {
      digest: data.derived.digest,
    });
  }
  return [{ type: 'EvidenceDerived', data }];
};

export const attachEvidence: CaseHandler<'AttachEvidence'> = (command, { kase, now }) => {
  requireStatus(kase, command, ['detected']);
  requireText(command.reason, 'reason');
  const evidence = parseOrThrow(
    CaseEventSchemas.EvidenceAttached.shape.evidence,
    command.evidence,
    'evidence',
  );
  const held = heldDigests(kase);
  const digests = evidence.map((e) => EvidenceRefSchema.parse(e).digest);
  if (new Set(digests).size !== digests.length || digests.some((d) => held.has(d))) {
    throw new DuplicateEvidenceError('Evidence is already held by the case', {});
  }
  return [{ type: 'EvidenceAttached', data: { evidence, reason: command.reason, attachedAt: now } }];
};

export const flagCase: CaseHandler<'FlagCase'> = (command, { kase, now }) => {
  requireStatus(kase, command, ['detected']);
  const flag = parseOrThrow(CaseFlagSchema, command.flag, 'flag');
  return [{ type: 'CaseFlagged', data: { flag, flaggedAt: now } }];
};

export const recordProcessingFailure: CaseHandler<'RecordProcessingFailure'> = (command, { now }) => {
  // A job may fail after the case moved on (a notice after a decision): the fact is recorded in any state.
  const data = parseOrThrow(
    CaseEventSchemas.ProcessingFailed,
    {
      job: command.job,
      jobId: command.jobId,
      reasonCode: command.reasonCode,
      reason: command.reason,
      attempts: command.attempts,
      failedAt: now,
    },
    'processing failure',
  );
  return [{ type: 'ProcessingFailed', data }];
};
