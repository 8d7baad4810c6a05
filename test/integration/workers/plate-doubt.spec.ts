/**
 * Issue 13 on real parts (PostgreSQL event store, the PP-OCRv4 reader, sharp): the camera's signed plate colour
 * reaches the reader through the inference job, and a `29QT` reading's doubt and alternatives reach the case
 * (the `plate-doubt` flag and the case document the review screen shows).
 */
import { expect } from 'chai';
import sharp from 'sharp';
import { v7 as uuidV7 } from 'uuid';
import { approveModelVersion } from '../../../src/commands/models.ts';
import { ingestDetection, recordPlateReading } from '../../../src/commands/cases.ts';
import { caseDocument } from '../../../src/adapters/http/routes/case-view.ts';
import { caseIdForDetection } from '../../../src/domain/ids.ts';
import { streams } from '../../../src/domain/record.ts';
import { buildDetectionPayload, signDetection } from '../../../src/domain/signoff/index.ts';
import type { EvidenceRef } from '../../../src/domain/signoff/primitives.ts';
import type { PlateColour } from '../../../src/domain/plates/colours.ts';
import { createPlateReader, type PlateReader } from '../../../src/workers/inference/index.ts';
import { startPipeline, type Pipeline } from '../../../src/node/pipeline.ts';
import { alternativesOf, registerPlateModel } from '../../../src/workers/pipeline.ts';
import { loadCase } from '../../../src/workers/notification/case-state.ts';
import { waitFor } from '../../support/env.ts';
import { syntheticPlateCrop } from '../../support/synthetic-plates.ts';
import { anprWorker, carViolation, device, OBSERVED_AT } from '../commands/support/world.ts';
import { openPipelineWorld, type PipelineWorld } from './support/world.ts';

const TEXT = '29QT-123.45';

/** A 29QT car plate 200 px wide on a plain 640×360 frame (seed 5 reads below full confidence without the hint). */
async function frameWithPlate(seed: number): Promise<Buffer> {
  const crop = await syntheticPlateCrop(seed, { kind: 'car', text: TEXT });
  const plate = await sharp(crop.image).resize({ width: 200 }).toBuffer();
  return sharp({ create: { width: 640, height: 360, channels: 3, background: { r: 90, g: 90, b: 95 } } })
    .composite([{ input: plate, left: 200, top: 150 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function ingest(world: PipelineWorld, image: Uint8Array, plateColour?: PlateColour): Promise<string> {
  const stored = await world.evidence.put(image, { mediaType: 'image/jpeg' });
  const evidence: EvidenceRef[] = [{ digest: stored.digest, mediaType: 'image/jpeg', size: stored.size, role: 'overview' }];
  const detection = buildDetectionPayload({
    detectionId: `det-${uuidV7()}`,
    cameraId: world.cameraId,
    observedAt: OBSERVED_AT,
    location: { latMicro: 21_028_511, lonMicro: 105_804_817, description: 'Ngã tư Kim Mã – Liễu Giai', roadType: 'urban', commune: 'Ngọc Hà' },
    violationCode: carViolation().code,
    vehicleClass: 'car',
    evidence,
    ...(plateColour ? { plateColour } : {}),
  });
  await ingestDetection(world.deps, device(world.cameraId), signDetection(detection, world.cameraKey.secretKey));
  return caseIdForDetection(detection.detectionId);
}

describe('plate doubt and the colour hint, real model (issue 13)', function () {
  this.timeout(240_000);
  let world: PipelineWorld;
  let reader: PlateReader;
  let modelId: string;
  let pipeline: Pipeline | undefined;

  before(async () => {
    world = await openPipelineWorld('wdoubt');
    reader = await createPlateReader();
    modelId = await registerPlateModel(world.deps, reader.modelIdentity);
    await approveModelVersion(world.deps, { actor: world.officer.actor, province: '00' }, { modelId });
  });

  after(async () => {
    await pipeline?.stop();
    await reader?.close();
    await world?.close();
  });

  it('a 29QT reading with alternatives flags the case plate-doubt and the case document lists them', async () => {
    // The model confuses Q and D on some of these seeds (special-series.spec.ts): take the first reading naming another plate.
    let found: { seed: number; reading: NonNullable<Awaited<ReturnType<PlateReader['readCrop']>>> } | undefined;
    for (let seed = 1; seed <= 6 && !found; seed++) {
      const crop = await syntheticPlateCrop(seed, { kind: 'car', text: TEXT });
      const reading = await reader.readCrop(crop.image, 'car');
      if (reading?.alternatives?.length) found = { seed, reading };
    }
    expect(found, 'a 29QT reading with alternatives on seeds 1–6').to.not.equal(undefined);
    const { reading } = found!;
    expect(reading.alternativeSharesBp).to.have.length(reading.alternatives!.length);

    const crop = await syntheticPlateCrop(found!.seed, { kind: 'car', text: TEXT });
    const caseId = await ingest(world, crop.image);
    const kase = await loadCase(world.store, caseId);
    if (kase.status === 'none') throw new Error('case missing');
    await recordPlateReading(world.deps, anprWorker, {
      caseId,
      plate: reading.text,
      confidenceBp: reading.confidenceBp,
      sourceDigest: kase.originals[0]!.digest,
      modelId,
      ...alternativesOf(reading),
    });

    const records = await world.store.readStream(streams.case(caseId));
    const recognized = records.find((r) => r.record.type === 'PlateRecognized')!.record.data as { alternatives?: { plate: string; shareBp: number }[] };
    expect(recognized.alternatives?.map((a) => a.plate)).to.deep.equal(reading.alternatives);
    const after = await loadCase(world.store, caseId);
    if (after.status === 'none') throw new Error('case missing');
    const doc = caseDocument(after, BigInt(records.length - 1));
    expect(doc.flags.map((f) => f.flag)).to.include('plate-doubt');
    expect(doc.plateReadings[0]!.alternatives!.map((a) => a.plate)).to.deep.equal(reading.alternatives);
    expect(doc.plateReadings[0]!.alternatives!.every((a) => a.shareBp > 0 && a.shareBp < 10000)).to.equal(true);
  });

  it("the inference job hands the reader the camera's signed white-red colour (detection/v2)", async () => {
    pipeline = await startPipeline({ store: world.store, evidence: world.evidence, commandDeps: world.deps, databaseUrl: world.db.url, plateModelId: modelId, plateReader: reader });
    const image = await frameWithPlate(5);
    const plain = await reader.readScene(image);
    const hinted = await reader.readScene(image, { colour: 'white-red' });
    // The premise: on this frame the hint rules out 29DT and so raises the confidence.
    expect(plain?.text).to.equal(TEXT);
    expect(hinted?.text).to.equal(TEXT);
    expect(hinted!.confidenceBp).to.be.greaterThan(plain!.confidenceBp);

    const v1 = await ingest(world, image);
    const v2 = await ingest(world, image, 'white-red');
    const readingOf = async (caseId: string) =>
      (await world.store.readStream(streams.case(caseId))).find((r) => r.record.type === 'PlateRecognized')?.record.data as
        | { plate: string; confidenceBp: number }
        | undefined;
    await waitFor(async () => (await readingOf(v1)) !== undefined && (await readingOf(v2)) !== undefined, { timeoutMs: 180_000, what: 'both plate readings' });
    expect(await readingOf(v1)).to.deep.include({ plate: TEXT, confidenceBp: plain!.confidenceBp });
    expect(await readingOf(v2)).to.deep.include({ plate: TEXT, confidenceBp: hinted!.confidenceBp });
  });
});
