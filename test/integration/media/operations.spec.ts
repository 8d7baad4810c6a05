import { createHash } from 'node:crypto';
import { expect } from 'chai';
import sharp from 'sharp';
import {
  deriveMedia,
  InvalidBoxError,
  InvalidMediaRequestError,
  plateCrop,
  privacyCopy,
  thumbnail,
  type DerivedItem,
} from '../../../src/workers/media/index.ts';
import { expectRejects } from './support/assert.ts';
import {
  decode,
  detailEnergy,
  grow,
  meanAbsDiff,
  PLATE_BOX,
  pixel,
  quadrantsPng,
  sceneJpeg,
  shrink,
  SCENE,
  VEHICLE_BOX,
} from './support/images.ts';

const CAPTION = {
  time: '2026-11-24T09:00:05Z',
  place: 'Ngã tư Láng Hạ – Thái Hà, Đống Đa, Hà Nội',
  cameraId: 'cam-29-0001',
  violation: { code: 'SPD-01', title: 'Chạy quá tốc độ quy định' },
  measuredSpeedKmh: 78,
  limitKmh: 60,
};

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function expectWellFormed(item: DerivedItem, original: Buffer): void {
  expect(item.mediaType).to.equal('image/jpeg');
  expect(item.bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).to.equal(true);
  expect(item.size).to.equal(item.bytes.length);
  expect(item.digest).to.equal(sha256(item.bytes));
  expect(item.sourceDigest).to.equal(sha256(original));
  expect(item.producer).to.deep.equal({
    library: 'sharp',
    version: sharp.versions.sharp,
    libvips: sharp.versions.vips,
  });
  expect(item.operation).to.match(/^[a-z][a-z0-9-]{0,47}$/);
  for (const [key, value] of Object.entries(item.parameters)) {
    expect(key).to.match(/^[A-Za-z][A-Za-z0-9]{0,31}$/);
    if (typeof value === 'number') expect(Number.isSafeInteger(value), `${key} is an integer`).to.equal(true);
    else expect(typeof value, key).to.be.oneOf(['string', 'boolean']);
    if (typeof value === 'string') expect(value.length, key).to.be.at.most(200);
  }
}

describe('media derivation (real sharp)', () => {
  let scene: Buffer;
  let sceneDecoded: Awaited<ReturnType<typeof decode>>;
  before(async () => {
    scene = await sceneJpeg();
    sceneDecoded = await decode(scene);
  });

  describe('thumbnail', () => {
    it('is 320 wide with the aspect kept and records what it did', async () => {
      const item = await thumbnail(scene, { width: 320 });
      expectWellFormed(item, scene);
      expect(item.role).to.equal('thumbnail');
      const meta = await sharp(item.bytes).metadata();
      expect([meta.width, meta.height]).to.deep.equal([320, 180]);
      expect(item.parameters).to.include({ width: 320, height: 180, sourceWidth: 1280, sourceHeight: 720 });
    });

    it('never enlarges a narrower original', async () => {
      const small = await quadrantsPng(200, 100);
      const meta = await sharp((await thumbnail(small, { width: 320 })).bytes).metadata();
      expect([meta.width, meta.height]).to.deep.equal([200, 100]);
    });

    it('refuses a nonsense width', async () => {
      for (const width of [0, -5, 1.5, 100000, Number.NaN]) {
        await expectRejects(thumbnail(scene, { width }), InvalidMediaRequestError);
      }
    });
  });

  describe('plate crop', () => {
    it('is the box plus padding, at native resolution, with the pixels of that region', async () => {
      const quadrants = await quadrantsPng(400, 300);
      // Box straddling the centre: its corners fall in the four quadrants.
      const item = await plateCrop(quadrants, { x: 180, y: 130, width: 40, height: 40 }, { padding: 10 });
      expectWellFormed(item, quadrants);
      const crop = await decode(item.bytes);
      expect([crop.width, crop.height]).to.deep.equal([60, 60]);
      expect(item.parameters).to.include({
        x: 170,
        y: 120,
        width: 60,
        height: 60,
        padding: 10,
        box: '180,130,40,40',
        region: '170,120,60,60',
      });
      const near = (actual: number[], expected: number[]): void =>
        actual.forEach((v, i) =>
          expect(Math.abs(v - expected[i]!), `${actual} ≈ ${expected}`).to.be.at.most(12),
        );
      near(pixel(crop, 5, 5), [255, 0, 0]);
      near(pixel(crop, 54, 5), [0, 255, 0]);
      near(pixel(crop, 5, 54), [0, 0, 255]);
      near(pixel(crop, 54, 54), [255, 255, 255]);
    });

    it('matches the original scene inside the plate box', async () => {
      const item = await plateCrop(scene, PLATE_BOX, { padding: 0 });
      const crop = await decode(item.bytes);
      expect([crop.width, crop.height]).to.deep.equal([PLATE_BOX.width, PLATE_BOX.height]);
      const region = await decode(
        await sharp(sceneDecoded.data, { raw: { width: SCENE.width, height: SCENE.height, channels: 3 } })
          .extract({ left: PLATE_BOX.x, top: PLATE_BOX.y, width: PLATE_BOX.width, height: PLATE_BOX.height })
          .png()
          .toBuffer(),
      );
      expect(meanAbsDiff(crop, region, { x: 0, y: 0, width: crop.width, height: crop.height })).to.be.below(
        6,
      );
    });

    it('clamps a box that runs off the image and records the clamped region', async () => {
      const item = await plateCrop(scene, { x: 1250, y: 700, width: 100, height: 100 }, { padding: 4 });
      const meta = await sharp(item.bytes).metadata();
      expect([meta.width, meta.height]).to.deep.equal([34, 24]);
      expect(item.parameters.region).to.equal('1246,696,34,24');
    });

    it('refuses a box outside the image, empty, or not made of integers', async () => {
      await expectRejects(
        plateCrop(scene, { x: 2000, y: 10, width: 50, height: 20 }, { padding: 0 }),
        InvalidBoxError,
      );
      await expectRejects(plateCrop(scene, { x: 10, y: 10, width: 0, height: 20 }), InvalidBoxError);
      await expectRejects(plateCrop(scene, { x: 10.5, y: 10, width: 50, height: 20 }), InvalidBoxError);
      await expectRejects(plateCrop(scene, { x: 10, y: 10, width: 50 } as never), InvalidBoxError);
      await expectRejects(plateCrop(scene, null as never), InvalidBoxError);
      await expectRejects(plateCrop(scene, PLATE_BOX, { padding: -1 }), InvalidMediaRequestError);
    });
  });

  describe('privacy copy', () => {
    it('keeps the vehicle and plate as they were and pixelates everything else', async () => {
      const item = await privacyCopy(scene, [VEHICLE_BOX, PLATE_BOX]);
      expectWellFormed(item, scene);
      expect(item.role).to.equal('privacy');
      const copy = await decode(item.bytes);
      expect([copy.width, copy.height]).to.deep.equal([SCENE.width, SCENE.height]);
      // Inside the kept box (away from JPEG ringing at its edge) the copy is the original.
      expect(meanAbsDiff(copy, sceneDecoded, shrink(VEHICLE_BOX, 8))).to.be.below(6);
      // Outside, the fine 4-pixel checks are gone: detail energy collapses.
      const exclude = [grow(VEHICLE_BOX, 8)];
      const before = detailEnergy(sceneDecoded, exclude);
      const after = detailEnergy(copy, exclude);
      expect(after).to.be.below(before / 20);
      expect(meanAbsDiff(copy, sceneDecoded, { x: 0, y: 0, width: 400, height: 250 })).to.be.above(30);
      expect(item.parameters.keepBoxes).to.equal('480,300,360,260;590,470,140,44');
      expect(item.parameters.blockSize).to.equal(27);
    });

    it('refuses no boxes, too many, or a box outside the image', async () => {
      await expectRejects(privacyCopy(scene, []), InvalidMediaRequestError);
      await expectRejects(
        privacyCopy(
          scene,
          Array.from({ length: 7 }, () => VEHICLE_BOX),
        ),
        InvalidMediaRequestError,
      );
      await expectRejects(privacyCopy(scene, [{ x: -500, y: 0, width: 100, height: 100 }]), InvalidBoxError);
    });
  });

  describe('deriveMedia', () => {
    it('derives thumbnail, plate crop, captioned and privacy copies from one original, in that order', async () => {
      const items = await deriveMedia(scene, {
        plate: { box: PLATE_BOX },
        caption: CAPTION,
        privacy: { keepBoxes: [VEHICLE_BOX, PLATE_BOX] },
      });
      expect(items.map((i) => i.role)).to.deep.equal(['thumbnail', 'plate-crop', 'captioned', 'privacy']);
      expect(items.map((i) => i.operation)).to.deep.equal([
        'thumbnail',
        'plate-crop',
        'caption-bar',
        'privacy-pixelate',
      ]);
      for (const item of items) expectWellFormed(item, scene);
      expect(new Set(items.map((i) => i.digest)).size).to.equal(4);
    });

    it('is deterministic: the same original and request give the same bytes', async () => {
      const request = { plate: { box: PLATE_BOX }, caption: CAPTION, privacy: { keepBoxes: [VEHICLE_BOX] } };
      const first = await deriveMedia(scene, request);
      const second = await deriveMedia(Buffer.from(scene), request);
      expect(second.map((i) => i.digest)).to.deep.equal(first.map((i) => i.digest));
      expect(second.map((i) => i.parameters)).to.deep.equal(first.map((i) => i.parameters));
      // The single operations agree with the set.
      expect((await thumbnail(scene)).digest).to.equal(first[0]!.digest);
      expect((await plateCrop(scene, PLATE_BOX)).digest).to.equal(first[1]!.digest);
    });

    it('leaves the original bytes untouched', async () => {
      const copy = Buffer.from(scene);
      await deriveMedia(scene, {
        plate: { box: PLATE_BOX },
        caption: CAPTION,
        privacy: { keepBoxes: [VEHICLE_BOX] },
      });
      expect(scene.equals(copy)).to.equal(true);
    });

    it('validates the plate box before decoding', async () => {
      await expectRejects(
        deriveMedia(Buffer.from('not an image'), { plate: { box: { x: 0, y: 0, width: -1, height: 1 } } }),
        InvalidBoxError,
      );
    });
  });
});
