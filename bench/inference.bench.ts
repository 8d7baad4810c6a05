/**
 * Plate recognition throughput on 2 cores: crops/s and scenes/s with accuracy, on the seeded synthetic set.
 * Baseline, measured in the same run on the same images: sharp decode + resize alone (crop → 48 px high,
 * scene → 960×544), i.e. the image handling every pipeline pays before any model runs. Targets: ≥ 40 crops/s,
 * ≥ 5 scenes/s on a quiet machine.
 */
import sharp from 'sharp';
import { availableParallelism, loadavg } from 'node:os';
import { createPlateReader, createPlateReaderInWorker, type PlateReader, type PlateReading } from '../src/workers/inference/index.ts';
import { syntheticPlateCrop, syntheticScene, type SyntheticPlate } from '../test/support/synthetic-plates.ts';
import { figure, scaled } from './report.ts';

const CROPS = scaled(process.env.BENCH_INFERENCE_CROPS, 80, 16);
/** Crops per `readCrops` call (one recognition run per batch of equal-width inputs). */
const BATCH = Number(process.env.BENCH_INFERENCE_BATCH ?? 16);
const SCENES = scaled(process.env.BENCH_INFERENCE_SCENES, 24, 4);

async function timed<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (const item of items) await work(item);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Wall time, CPU time of the whole process (all ORT and libvips threads) and exact readings. */
async function accuracyAndTime(reader: PlateReader, set: readonly SyntheticPlate[], scene: boolean): Promise<{ seconds: number; cpuSeconds: number; exact: number }> {
  let exact = 0;
  const cpu = process.cpuUsage();
  const seconds = await timed(set, async (s) => {
    const reading = scene ? await reader.readScene(s.image) : await reader.readCrop(s.image);
    if (reading?.text === s.truth.text) exact++;
  });
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, exact };
}

export async function run(): Promise<void> {
  console.log(`cores ${availableParallelism()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const crops = await Promise.all(Array.from({ length: CROPS }, (_, i) => syntheticPlateCrop(5000 + i)));
  const scenes = await Promise.all(Array.from({ length: SCENES }, (_, i) => syntheticScene(5000 + i)));

  const baselineCrop = await timed(crops, (c) => sharp(c.image).resize({ height: 48 }).raw().toBuffer());
  const baselineScene = await timed(scenes, (s) => sharp(s.image).resize(960, 544, { fit: 'fill' }).raw().toBuffer());

  const reader = await createPlateReader();
  try {
    await reader.readCrop(crops[0]!.image); // warm-up: first runs allocate
    await reader.readScene(scenes[0]!.image);
    const crop = await accuracyAndTime(reader, crops, false);
    // Batched: readCrops over BATCH crops at a time; its readings must be exactly readCrop's.
    const singleReadings: (PlateReading | null)[] = [];
    for (const c of crops) singleReadings.push(await reader.readCrop(c.image));
    const cpuBatched = process.cpuUsage();
    const batchedStart = process.hrtime.bigint();
    const batchedReadings: (PlateReading | null)[] = [];
    for (let i = 0; i < crops.length; i += BATCH) batchedReadings.push(...(await reader.readCrops(crops.slice(i, i + BATCH).map((c) => ({ image: c.image })))));
    const batchedSeconds = Number(process.hrtime.bigint() - batchedStart) / 1e9;
    const batchedCpu = process.cpuUsage(cpuBatched);
    const differing = batchedReadings.filter((r, i) => JSON.stringify(r) !== JSON.stringify(singleReadings[i])).length;
    const batchedExact = batchedReadings.filter((r, i) => r?.text === crops[i]!.truth.text).length;
    const scene = await accuracyAndTime(reader, scenes, true);
    const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
    // On a loaded machine wall time understates throughput; CPU time per item does not depend on the load.
    console.log(`cpu per item: crop ${((1000 * crop.cpuSeconds) / CROPS).toFixed(1)} ms, scene ${((1000 * scene.cpuSeconds) / SCENES).toFixed(0)} ms (2 cores available)`);
    console.log(
      `crops:  ${(CROPS / crop.seconds).toFixed(1)}/s (${((1000 * crop.seconds) / CROPS).toFixed(1)} ms each), exact ${crop.exact}/${CROPS} = ${pct(crop.exact, CROPS)}; ` +
        `${(crop.seconds / baselineCrop).toFixed(1)}× the time of sharp decode+resize alone (${(CROPS / baselineCrop).toFixed(0)}/s)`,
    );
    console.log(
      `crops, ${BATCH} per readCrops call: ${(CROPS / batchedSeconds).toFixed(1)}/s (${(CROPS / batchedSeconds / (CROPS / crop.seconds)).toFixed(2)}× one at a time; cpu ${((1000 * (batchedCpu.user + batchedCpu.system)) / 1e6 / CROPS).toFixed(1)} ms each), ` +
        `exact ${batchedExact}/${CROPS}; readings differing from readCrop's: ${differing}`,
    );
    figure({ bench: 'inference', figure: 'crops', value: CROPS / batchedSeconds, unit: 'crops/s', baseline: CROPS / baselineCrop, target: '>= 40' });
    figure({ bench: 'inference', figure: 'crops-one-at-a-time', value: CROPS / crop.seconds, unit: 'crops/s', baseline: CROPS / baselineCrop });
    figure({ bench: 'inference', figure: 'crops-batched-differing', value: differing, unit: 'readings' });
    figure({ bench: 'inference', figure: 'scenes', value: SCENES / scene.seconds, unit: 'scenes/s', baseline: SCENES / baselineScene, target: '>= 5' });
    figure({ bench: 'inference', figure: 'crop-exact', value: (100 * crop.exact) / CROPS, unit: '%' });
    console.log(
      `scenes: ${(SCENES / scene.seconds).toFixed(2)}/s (${((1000 * scene.seconds) / SCENES).toFixed(0)} ms each), exact ${scene.exact}/${SCENES} = ${pct(scene.exact, SCENES)}; ` +
        `${(scene.seconds / baselineScene).toFixed(1)}× the time of sharp decode+resize alone (${(SCENES / baselineScene).toFixed(0)}/s)`,
    );
  } finally {
    await reader.close();
  }

  // Worker thread: the same work with two calls in flight, so decoding overlaps inference.
  const worker = await createPlateReaderInWorker();
  try {
    await worker.readCrop(crops[0]!.image);
    const start = process.hrtime.bigint();
    const pairs = [];
    for (let i = 0; i < crops.length; i += 2) pairs.push(crops.slice(i, i + 2));
    for (const pair of pairs) await Promise.all(pair.map((c) => worker.readCrop(c.image)));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    figure({ bench: 'inference', figure: 'worker-crops', value: CROPS / seconds, unit: 'crops/s', baseline: CROPS / baselineCrop });
    console.log(`worker: ${(CROPS / seconds).toFixed(1)} crops/s, ${(seconds / baselineCrop).toFixed(1)}× the sharp baseline`);
    // Batched on the worker thread: two readCrops calls in flight, so one batch decodes while the other runs.
    const batchedStart = process.hrtime.bigint();
    const calls = [];
    for (let i = 0; i < crops.length; i += BATCH) calls.push(crops.slice(i, i + BATCH).map((c) => ({ image: c.image })));
    for (let i = 0; i < calls.length; i += 2) await Promise.all(calls.slice(i, i + 2).map((batch) => worker.readCrops(batch)));
    const batchedSeconds = Number(process.hrtime.bigint() - batchedStart) / 1e9;
    figure({ bench: 'inference', figure: 'worker-crops-batched', value: CROPS / batchedSeconds, unit: 'crops/s', baseline: CROPS / baselineCrop, target: '>= 40' });
    console.log(`worker, ${BATCH} per readCrops call: ${(CROPS / batchedSeconds).toFixed(1)} crops/s, ${(batchedSeconds / baselineCrop).toFixed(1)}× the sharp baseline`);
  } finally {
    await worker.close();
  }
}
