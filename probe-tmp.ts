import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadModelFiles } from './src/workers/inference/models.ts';
import { plateClassMask, recognizeLines } from './src/workers/inference/recognition.ts';
import { decodeImage } from './src/workers/inference/image.ts';
import { motorbikeRowSplit, sessionOptions } from './src/workers/inference/reader.ts';
import { PLATE_ALPHABET } from './src/domain/plates/index.ts';
import { syntheticPlateCrop } from './src/demo/synthetic-plates.ts';
const files = await loadModelFiles();
const rec = await ort.InferenceSession.create(files.recognition, sessionOptions());
const mask = plateClassMask(files.dictionary, PLATE_ALPHABET);
const cases: [string, 'car' | 'motorbike'][] = JSON.parse(process.argv[2]!);
const seeds = (process.argv[3] ?? '1,2,3').split(',').map(Number);
for (const [text, kind] of cases) for (const seed of seeds) {
  const crop = await syntheticPlateCrop(seed, { kind, text });
  if (seed === seeds[0]) await sharp(crop.image).png().toFile(`/tmp/probe/${text.replace(/\W/g, '_')}-${kind}.png`);
  const img = await decodeImage(crop.image);
  const { width, height } = img;
  const rect = (y0: number, y1: number) => ({ topLeft: { x: 0, y: y0 }, topRight: { x: width, y: y0 }, bottomLeft: { x: 0, y: y1 } });
  const split = motorbikeRowSplit(img);
  const quads = kind === 'car' ? [rect(0, height)] : [rect(0, split), rect(split, height)];
  const r = await recognizeLines(rec, ort.Tensor, img, quads, mask);
  const show = r.map((l) => l.text + ' [' + l.alternatives.map((a, i) => { const e = Object.entries(a).sort((x, y) => y[1] - x[1]).slice(0, 2); return l.text[i] + ':' + e.map(([c, p]) => `${c}${p.toFixed(2)}`).join('/'); }).filter((x) => !/\/.1\.0|\/[^/]*0\.0\d$/.test(x) || true).join(' ') + ']');
  console.log(text, kind, seed, crop.truth.background, '=>', show.join(' | '));
}
