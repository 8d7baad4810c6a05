/**
 * Minimisation (issue 14): the privacy copy shown to an owner never exposes another vehicle. A scene holds
 * two plates, the case's and a bystander's; the privacy copy keeps the case's plate box sharp and pixelates
 * the rest. The real plate reader (PP-OCRv4 over onnxruntime) reads both plates in the original, reads the
 * case's plate the same in the privacy copy, and cannot read the bystander's there.
 */
import { expect } from 'chai';
import sharp from 'sharp';
import { privacyCopy } from '../../../src/workers/media/index.ts';
import { createPlateReader, type PlateReader } from '../../../src/workers/inference/index.ts';
import { SCENE_WIDTH, syntheticPlateCrop, syntheticScene, type PixelBox } from '../../support/synthetic-plates.ts';

async function region(image: Uint8Array, box: PixelBox, pad = 6): Promise<Uint8Array> {
  const meta = await sharp(image).metadata();
  const left = Math.max(0, box.x - pad);
  const top = Math.max(0, box.y - pad);
  const width = Math.min(meta.width! - left, box.width + 2 * pad);
  const height = Math.min(meta.height! - top, box.height + 2 * pad);
  return new Uint8Array(await sharp(image).extract({ left, top, width, height }).jpeg({ quality: 95 }).toBuffer());
}

describe('privacy copy of a scene with two plates (real plate reader)', function () {
  this.timeout(180_000);
  let reader: PlateReader;

  before(async () => {
    reader = await createPlateReader();
  });
  after(async () => reader?.close());

  for (const [sceneSeed, bystanderSeed] of [
    [1003, 2001],
    [1011, 2007],
  ] as const) {
    it(`keeps the case's plate and hides the bystander's (scene ${sceneSeed}, bystander ${bystanderSeed})`, async () => {
      const scene = await syntheticScene(sceneSeed, { kind: 'car' });
      const bystander = await syntheticPlateCrop(bystanderSeed, { kind: 'car' });
      const crop = await sharp(bystander.image).metadata();
      // The bystander's plate goes in the sky on the side away from the case's plate.
      const x = scene.truth.box.x > SCENE_WIDTH / 2 ? 40 : SCENE_WIDTH - crop.width! - 40;
      const bystanderBox: PixelBox = { x, y: 30, width: crop.width!, height: crop.height! };
      const original = new Uint8Array(
        await sharp(scene.image).composite([{ input: bystander.image, left: x, top: 30 }]).jpeg({ quality: 92 }).toBuffer(),
      );

      // Precondition: in the original, the reader reads a plate where the bystander's is (its reading, right or
      // not, is what the privacy copy must no longer give).
      const exposed = await reader.readCrop(await region(original, bystanderBox), 'car');
      expect(exposed, "the bystander's plate is readable in the original").to.not.equal(null);
      const caseReading = (await reader.readCrop(await region(original, scene.truth.box), 'car'))?.text;

      const privacy = await privacyCopy(original, [scene.truth.box]);
      expect(privacy.role).to.equal('privacy');
      const hidden = await reader.readCrop(await region(privacy.bytes, bystanderBox), 'car');
      expect(hidden?.compact ?? null, "the bystander's plate in the privacy copy").to.not.equal(exposed!.compact);
      expect(hidden?.compact ?? null).to.not.equal(bystander.truth.compact);
      expect((await reader.readCrop(await region(privacy.bytes, scene.truth.box), 'car'))?.text, "the case's plate").to.equal(caseReading);
      // And nothing in the whole privacy copy reads as the bystander's plate.
      const whole = (await reader.readScene(privacy.bytes))?.compact ?? null;
      expect(whole).to.not.equal(bystander.truth.compact);
      expect(whole).to.not.equal(exposed!.compact);
    });
  }
});
