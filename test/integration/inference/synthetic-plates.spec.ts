/** The synthetic plate generator: deterministic, valid plates, truth boxes on the drawn plate, glyphs rendered. */
import { expect } from 'chai';
import sharp from 'sharp';
import { parsePlate } from '../../../src/domain/plates/index.ts';
import { SCENE_HEIGHT, SCENE_WIDTH, randomPlateText, seededRandom, syntheticPlateCrop, syntheticScene } from '../../support/synthetic-plates.ts';

/** Share of pixels darker than 80 in the middle of `box` (the border excluded): the glyphs' ink. */
async function inkShare(image: Buffer, box: { x: number; y: number; width: number; height: number }): Promise<number> {
  const inner = { left: box.x + Math.round(box.width * 0.15), top: box.y + Math.round(box.height * 0.2), width: Math.round(box.width * 0.7), height: Math.round(box.height * 0.6) };
  const { data, info } = await sharp(image).extract(inner).greyscale().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (const v of data) if (v < 80) dark++;
  return dark / (info.width * info.height);
}

describe('synthetic plates', () => {
  it('is deterministic: the same seed gives the same bytes and truth', async () => {
    const [a, b] = await Promise.all([syntheticScene(42), syntheticScene(42)]);
    expect(a.truth).to.deep.equal(b.truth);
    expect(Buffer.compare(a.image, b.image)).to.equal(0);
    const c = await syntheticScene(43);
    expect(Buffer.compare(a.image, c.image)).to.not.equal(0);
  });

  it('draws only valid plates of the requested kind', () => {
    const rng = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const kind = i % 2 === 0 ? 'car' : 'motorbike';
      const text = randomPlateText(rng, kind);
      expect(parsePlate(text, kind).text).to.equal(text);
    }
  });

  it('puts the truth box on a plate with visible glyphs (fonts render) inside the frame', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const scene = await syntheticScene(seed, { kind: seed % 2 ? 'car' : 'motorbike', background: seed < 3 ? 'white' : 'yellow' });
      const meta = await sharp(scene.image).metadata();
      expect([meta.width, meta.height, meta.format]).to.deep.equal([SCENE_WIDTH, SCENE_HEIGHT, 'jpeg']);
      const { box } = scene.truth;
      expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= SCENE_WIDTH && box.y + box.height <= SCENE_HEIGHT).to.equal(true);
      // Glyph strokes cover a real share of the plate's middle, but far from all of it.
      expect(await inkShare(scene.image, box)).to.be.within(0.1, 0.6);
      const crop = await syntheticPlateCrop(seed);
      expect(await inkShare(crop.image, crop.truth.box)).to.be.within(0.1, 0.6);
    }
  });

  it('draws the NG and QT series red on a white plate, and refuses another colour for them', async () => {
    /** Share of strongly red pixels in the crop. */
    const redShare = async (image: Buffer) => {
      const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
      let red = 0;
      for (let p = 0; p < info.width * info.height; p++) {
        const [r, g, b] = [data[p * info.channels]!, data[p * info.channels + 1]!, data[p * info.channels + 2]!];
        if (r > 150 && g < 90 && b < 90) red++;
      }
      return red / (info.width * info.height);
    };
    const foreign = await syntheticPlateCrop(1, { kind: 'car', text: '41-291-NG-01' });
    expect(foreign.truth).to.include({ text: '41-291-NG-01', background: 'white-red' });
    expect(await redShare(foreign.image)).to.be.above(0.01);
    const temporary = await syntheticPlateCrop(1, { kind: 'motorbike', text: 'T30-123.45', background: 'white' });
    expect(temporary.truth).to.include({ text: 'T30-123.45', kind: 'motorbike' });
    expect(await redShare(temporary.image)).to.be.below(0.001);
    await syntheticPlateCrop(1, { kind: 'car', text: '29QT-123.45', background: 'white' }).then(
      () => expect.fail('a QT plate drawn white'),
      (error: unknown) => expect(error).to.be.instanceOf(Error),
    );
  });
});
