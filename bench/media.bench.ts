/**
 * Evidence media derivation figures for a 1280×720 JPEG, as ratios against a baseline measured in the same run:
 * - baseline: sharp decode + JPEG encode of the same image (the least any derived copy costs);
 * - one derived set (thumbnail, plate crop, caption bar, privacy copy from a single decode), sequential and with
 *   as many jobs in flight as libuv has threads (how a worker process would run them);
 * - each operation alone on an already opened source.
 */
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import {
  captionCopy,
  deriveMedia,
  openSourceImage,
  plateCrop,
  privacyCopy,
  thumbnail,
  type DeriveRequest,
} from '../src/workers/media/index.ts';
import { PLATE_BOX, sceneJpeg, VEHICLE_BOX } from '../test/integration/media/support/images.ts';
import { figure } from './report.ts';

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

/** Runs `fn` (with `concurrency` calls in flight) for about `ms` milliseconds; returns completed calls per second. */
async function rate(fn: () => Promise<unknown>, { ms = 2500, concurrency = 1 } = {}): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  let done = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  const lane = async (): Promise<void> => {
    while (process.hrtime.bigint() < deadline) {
      await fn();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function run(): Promise<void> {
  const jpeg = await sceneJpeg();
  const request: DeriveRequest = {
    plate: { box: PLATE_BOX },
    caption: {
      time: '2026-11-24T09:00:05Z',
      place: 'Ngã tư Láng Hạ – Thái Hà, Đống Đa, Hà Nội',
      cameraId: 'cam-29-0001',
      violation: { code: 'SPD-01', title: 'Chạy quá tốc độ quy định' },
      measuredSpeedKmh: 78,
      limitKmh: 60,
    },
    privacy: { keepBoxes: [VEHICLE_BOX, PLATE_BOX] },
  };
  const parallel = Math.max(1, Math.min(Number(process.env.UV_THREADPOOL_SIZE ?? 4), availableParallelism()));
  console.log(
    `input: 1280×720 JPEG, ${jpeg.length} bytes; sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}; ${parallel} in flight for the parallel figures`,
  );

  const transcode = (): Promise<Buffer> => sharp(jpeg).jpeg({ quality: 85 }).toBuffer();
  const baseline = await rate(transcode);
  const baselineParallel = await rate(transcode, { concurrency: parallel });
  console.log(`baseline decode+encode: ${fmt(baseline)}/s sequential, ${fmt(baselineParallel)}/s parallel`);

  const sets = await rate(() => deriveMedia(jpeg, request));
  const setsParallel = await rate(() => deriveMedia(jpeg, request), { concurrency: parallel });
  figure({ bench: 'media', figure: 'derived-sets', value: sets, unit: 'sets/s', baseline });
  figure({ bench: 'media', figure: 'derived-sets-parallel', value: setsParallel, unit: 'sets/s', baseline: baselineParallel });
  console.log(
    `derived sets (4 copies): ${fmt(sets)}/s sequential → ×${fmt(sets / baseline)} of baseline; ${fmt(setsParallel)}/s parallel → ×${fmt(setsParallel / baselineParallel)} of parallel baseline`,
  );

  const source = await openSourceImage(jpeg);
  const open = await rate(() => openSourceImage(jpeg));
  const ops: Array<[string, () => Promise<unknown>]> = [
    ['open (checks + decode)', () => openSourceImage(jpeg)],
    ['thumbnail', () => thumbnail(source)],
    ['plate crop', () => plateCrop(source, PLATE_BOX)],
    ['caption bar', () => captionCopy(source, request.caption!)],
    ['privacy copy', () => privacyCopy(source, request.privacy!.keepBoxes)],
  ];
  for (const [name, fn] of ops) {
    const r = name.startsWith('open') ? open : await rate(fn, { ms: 1500 });
    figure({ bench: 'media', figure: name, value: r, unit: 'ops/s', baseline });
    console.log(`  ${name}: ${fmt(r)}/s → ×${fmt(r / baseline)} of baseline`);
  }
}
