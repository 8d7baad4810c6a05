/**
 * The plate reader against the real PP-OCRv4 models on a fixed, seeded synthetic set. The thresholds are set
 * from measurement (crops 39/40, scenes 20/20 when written) with a margin, strict enough that a broken
 * pre- or post-processing step (channel order, normalisation, CTC, row split, unclip, box scaling) fails them.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { ModelEventSchemas } from '../../../src/domain/model/events.ts';
import {
  ImageRejectedError,
  ImageTooLargeError,
  PlateReaderUnavailableError,
  createPlateReader,
  defaultModelPaths,
  type PlateReader,
  type PlateReading,
} from '../../../src/workers/inference/index.ts';
import { syntheticPlateCrop, syntheticScene, type SyntheticPlate } from '../../support/synthetic-plates.ts';

const CROP_SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i);
const SCENE_SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i);

function centreInside(reading: PlateReading, truth: SyntheticPlate['truth']): boolean {
  const cx = reading.box.x + reading.box.width / 2;
  const cy = reading.box.y + reading.box.height / 2;
  return cx >= truth.box.x && cx <= truth.box.x + truth.box.width && cy >= truth.box.y && cy <= truth.box.y + truth.box.height;
}

/** A PNG whose header claims `width × height` pixels, with a valid IHDR checksum and almost no data. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('plate reader (PP-OCRv4, real models)', function () {
  this.timeout(300_000);
  let reader: PlateReader;
  let crops: SyntheticPlate[];
  let scenes: SyntheticPlate[];

  before(async () => {
    reader = await createPlateReader();
    crops = await Promise.all(CROP_SEEDS.map((seed) => syntheticPlateCrop(seed)));
    scenes = await Promise.all(SCENE_SEEDS.map((seed) => syntheticScene(seed)));
  });
  after(async () => {
    await reader?.close();
  });

  it('the fixed set mixes cars and motorbikes on white and yellow plates', () => {
    for (const set of [crops, scenes]) {
      const kinds = new Set(set.map((s) => s.truth.kind));
      const backgrounds = new Set(set.map((s) => s.truth.background));
      expect([...kinds].sort()).to.deep.equal(['car', 'motorbike']);
      expect([...backgrounds].sort()).to.deep.equal(['white', 'yellow']);
    }
  });

  it('reads at least 90% of 40 plate crops exactly', async () => {
    let exact = 0;
    for (const crop of crops) {
      const reading = await reader.readCrop(crop.image);
      if (reading?.text === crop.truth.text) {
        exact++;
        expect(reading.compact).to.equal(crop.truth.compact);
        expect(reading.kind).to.equal(crop.truth.kind);
        expect(Number.isInteger(reading.confidenceBp) && reading.confidenceBp > 0 && reading.confidenceBp <= 10000).to.equal(true);
      }
    }
    console.log(`      crops: ${exact}/${crops.length} exact`);
    expect(exact).to.be.at.least(36);
  });

  it('reads at least 85% of 20 scenes exactly, with the box on the plate', async () => {
    let exact = 0;
    for (const scene of scenes) {
      const reading = await reader.readScene(scene.image);
      if (reading?.text === scene.truth.text) {
        exact++;
        expect(centreInside(reading, scene.truth), `box of ${scene.truth.text}`).to.equal(true);
        for (const v of Object.values(reading.box)) expect(Number.isInteger(v)).to.equal(true);
        if (reading.kind === 'motorbike') expect(reading.rows?.join(' ')).to.equal(reading.text);
      }
    }
    console.log(`      scenes: ${exact}/${scenes.length} exact`);
    expect(exact).to.be.at.least(17);
  });

  it('gives the same readings when calls overlap as when they run one by one', async () => {
    const sample = [...crops.slice(0, 4).map((c) => ({ c, scene: false })), ...scenes.slice(0, 2).map((c) => ({ c, scene: true }))];
    const read = (s: (typeof sample)[number]) => (s.scene ? reader.readScene(s.c.image) : reader.readCrop(s.c.image));
    const sequential = [];
    for (const s of sample) sequential.push(await read(s));
    const overlapping = await Promise.all(sample.map(read));
    expect(overlapping).to.deep.equal(sequential);
    expect(sequential.filter((r) => r !== null)).to.have.length.greaterThan(4);
  });

  it('honours an explicit kind and reads motorbike rows separately', async () => {
    const bike = await syntheticPlateCrop(7, { kind: 'motorbike', background: 'white' });
    const reading = await reader.readCrop(bike.image, 'motorbike');
    expect(reading?.text).to.equal(bike.truth.text);
    expect(reading?.rows).to.have.length(2);
    const car = await syntheticPlateCrop(8, { kind: 'car', background: 'yellow' });
    expect((await reader.readCrop(car.image, 'car'))?.text).to.equal(car.truth.text);
  });

  it('reads the same plates with the coarse pass off and with full-resolution detection', async () => {
    const full = await createPlateReader({ coarseDetectionMaxSide: 0, detectionMaxSide: 1280 });
    try {
      for (const scene of scenes.slice(0, 4)) expect((await full.readScene(scene.image))?.text).to.equal(scene.truth.text);
    } finally {
      await full.close();
    }
  });

  it('reads small plates (40 px motorbike, 64 px car in 1280×720) with full-resolution detection', async () => {
    const full = await createPlateReader({ detectionMaxSide: 1280 });
    try {
      let exact = 0;
      for (const seed of [1, 2, 3, 4]) {
        const bike = await syntheticScene(7100 + seed, { kind: 'motorbike', plateWidth: 40 });
        const car = await syntheticScene(7200 + seed, { kind: 'car', plateWidth: 64 });
        if ((await full.readScene(bike.image))?.text === bike.truth.text) exact++;
        if ((await full.readScene(car.image))?.text === car.truth.text) exact++;
      }
      expect(exact).to.be.at.least(7);
    } finally {
      await full.close();
    }
  });

  it('returns null for a scene without a plate', async () => {
    const blank = await sharp({ create: { width: 640, height: 360, channels: 3, background: { r: 90, g: 120, b: 160 } } }).jpeg().toBuffer();
    expect(await reader.readScene(blank)).to.equal(null);
  });

  it('refuses corrupt and unsupported images with typed errors', async () => {
    const scene = scenes[0]!.image;
    const truncated = scene.subarray(0, 200);
    const garbage = Buffer.from('this is not an image at all, just words');
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
    for (const [bytes, code] of [
      [truncated, 'image-corrupt'],
      [garbage, 'image-unsupported-format'],
      [gif, 'image-unsupported-format'],
      [Buffer.alloc(0), 'image-empty'],
    ] as const) {
      const error = await reader.readScene(bytes).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ImageRejectedError);
      expect((error as ImageRejectedError).code).to.equal(code);
      expect((error as ImageRejectedError).category).to.equal('validation');
    }
  });

  it('refuses a pixel bomb (PNG claiming 30000×30000) before decoding it', async () => {
    const bomb = pngClaiming(30000, 30000);
    expect(bomb.length).to.be.below(100);
    for (const read of [() => reader.readScene(bomb), () => reader.readCrop(bomb)]) {
      const error = await read().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ImageTooLargeError);
      expect((error as ImageTooLargeError).category).to.equal('too_large');
    }
  });

  it('applies configured byte and pixel limits', async () => {
    const strict = await createPlateReader({ limits: { maxPixels: 100_000, maxBytes: 10_000_000 } });
    try {
      const error = await strict.readScene(scenes[0]!.image).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ImageTooLargeError);
    } finally {
      await strict.close();
    }
    const tiny = await createPlateReader({ limits: { maxBytes: 1000 } });
    try {
      expect(await tiny.readCrop(crops[0]!.image).catch((e: unknown) => e)).to.be.instanceOf(ImageTooLargeError);
    } finally {
      await tiny.close();
    }
  });

  it('refuses an unknown vehicle kind', async () => {
    const error = await reader.readCrop(crops[0]!.image, 'truck' as never).catch((e: unknown) => e);
    expect((error as { category?: string }).category).to.equal('validation');
  });

  it('identifies the model by name, version and the SHA-256 of every file, stably', async () => {
    const identity = reader.modelIdentity;
    expect(identity.name).to.equal('paddleocr-ppocrv4-plates');
    expect(identity.version).to.match(/^p\d+\+ocr-models\.1\.4\.2$/);
    const paths = defaultModelPaths();
    const expected = await Promise.all(
      [paths.detection, paths.recognition, paths.dictionary].map(async (p) => createHash('sha256').update(await readFile(p)).digest('hex')),
    );
    expect(identity.files.map((f) => f.sha256)).to.deep.equal(expected);
    expect(identity.files.map((f) => f.name)).to.deep.equal(['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx', 'ppocr_keys_v1.txt']);
    // It can be registered as a model version as it is.
    const registered = ModelEventSchemas.ModelVersionRegistered.safeParse({
      modelId: 'ppocrv4-plates-1',
      name: identity.name,
      version: identity.version,
      files: identity.files,
      registeredAt: '2026-01-01T00:00:00.000Z',
    });
    expect(registered.success, JSON.stringify(registered.error?.issues)).to.equal(true);
    const second = await createPlateReader();
    try {
      expect(second.modelIdentity).to.deep.equal(identity);
    } finally {
      await second.close();
    }
  });

  it('fails with PlateReaderUnavailableError once closed', async () => {
    const closing = await createPlateReader();
    await closing.close();
    const error = await closing.readCrop(crops[0]!.image).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PlateReaderUnavailableError);
  });
});
