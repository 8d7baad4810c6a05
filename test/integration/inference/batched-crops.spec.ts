/**
 * `readCrops` batches several crops into each recognition run; its readings must be exactly those of
 * `readCrop` on each crop alone (text, confidence, box, kind, rows), in-process and on the worker thread, on
 * the seeded synthetic plates (cars and motorbikes, so rows of one and two lines share batches).
 */
import { expect } from 'chai';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { createPlateReader, createPlateReaderInWorker, type PlateReader, type PlateReading } from '../../../src/workers/inference/index.ts';
import { MAX_CROPS_PER_CALL } from '../../../src/workers/inference/reader.ts';
import { syntheticPlateCrop, type SyntheticPlate } from '../../support/synthetic-plates.ts';

describe('plate reader: batched crops read exactly as one at a time (real models)', function () {
  this.timeout(300_000);
  let reader: PlateReader;
  let crops: SyntheticPlate[];
  let oneAtATime: (PlateReading | null)[];

  before(async () => {
    crops = await Promise.all(Array.from({ length: 20 }, (_, i) => syntheticPlateCrop(5000 + i)));
    reader = await createPlateReader();
    oneAtATime = [];
    for (const c of crops) oneAtATime.push(await reader.readCrop(c.image));
  });
  after(async () => {
    await reader?.close();
  });

  it('the set holds both kinds and reads them', () => {
    const kinds = new Set(crops.map((c) => c.truth.kind));
    expect([...kinds].sort()).to.deep.equal(['car', 'motorbike']);
    expect(oneAtATime.filter((r, i) => r?.text === crops[i]!.truth.text).length).to.be.at.least(18);
  });

  it('readCrops in batches of 8 gives the same readings, in order', async () => {
    const batched: (PlateReading | null)[] = [];
    for (let i = 0; i < crops.length; i += 8) batched.push(...(await reader.readCrops(crops.slice(i, i + 8).map((c) => ({ image: c.image })))));
    expect(batched).to.deep.equal(oneAtATime);
  });

  it('a given kind is honoured per crop, as readCrop honours it', async () => {
    const bike = crops.find((c) => c.truth.kind === 'motorbike')!;
    const car = crops.find((c) => c.truth.kind === 'car')!;
    const [b, c] = await reader.readCrops([
      { image: bike.image, kind: 'motorbike' },
      { image: car.image, kind: 'car' },
    ]);
    expect(b).to.deep.equal(await reader.readCrop(bike.image, 'motorbike'));
    expect(c).to.deep.equal(await reader.readCrop(car.image, 'car'));
  });

  it('refuses more crops than a call may hold, and an invalid kind, with typed errors', async () => {
    const tooMany = Array.from({ length: MAX_CROPS_PER_CALL + 1 }, () => ({ image: crops[0]!.image }));
    expect(await reader.readCrops(tooMany).catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
    expect(await reader.readCrops([{ image: crops[0]!.image, kind: 'truck' as never }]).catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
  });

  it('on the worker thread, two batches in flight give the same readings', async () => {
    const worker = await createPlateReaderInWorker();
    try {
      const [first, second] = await Promise.all([
        worker.readCrops(crops.slice(0, 10).map((c) => ({ image: c.image }))),
        worker.readCrops(crops.slice(10).map((c) => ({ image: c.image }))),
      ]);
      expect([...first, ...second]).to.deep.equal(oneAtATime);
    } finally {
      await worker.close();
    }
  });
});
