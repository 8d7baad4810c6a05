/** The worker-thread reader: same answers and typed errors as the in-process reader, off the main thread. */
import { expect } from 'chai';
import { threadId } from 'node:worker_threads';
import {
  ImageRejectedError,
  ImageTooLargeError,
  PlateReaderUnavailableError,
  createPlateReaderInWorker,
  loadModelFiles,
  loadModelIdentity,
  modelFileDigests,
  type PlateReader,
} from '../../../src/workers/inference/index.ts';
import { syntheticPlateCrop, syntheticScene } from '../../support/synthetic-plates.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';

describe('plate reader in a worker thread', function () {
  this.timeout(120_000);
  let reader: PlateReader;

  before(async () => {
    reader = await createPlateReaderInWorker();
  });
  after(async () => {
    await reader?.close();
  });

  it('reports the same model identity as loading the files here', async () => {
    const files = await loadModelFiles();
    expect(reader.modelIdentity).to.deep.equal(files.identity);
    expect(await loadModelIdentity()).to.deep.equal(files.identity);
    expect(await modelFileDigests()).to.deep.equal(files.identity.files);
  });

  it('reads crops and scenes, including several calls in flight at once', async () => {
    const samples = await Promise.all([syntheticPlateCrop(2001, { kind: 'car' }), syntheticPlateCrop(2002, { kind: 'motorbike' }), syntheticPlateCrop(2003)]);
    const scene = await syntheticScene(2004);
    const [a, b, c, s] = await Promise.all([...samples.map((x) => reader.readCrop(x.image)), reader.readScene(scene.image)]);
    expect([a?.text, b?.text, c?.text]).to.deep.equal(samples.map((x) => x.truth.text));
    expect(s?.text).to.equal(scene.truth.text);
    expect(s?.box.width).to.be.greaterThan(0);
  });

  it('keeps the main event loop free while it works', async () => {
    const scene = await syntheticScene(2005);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      // Three scenes take far longer than a millisecond; ticks only happen if this thread is not blocked.
      const results = await Promise.all([reader.readScene(scene.image), reader.readScene(scene.image), reader.readScene(scene.image)]);
      expect(results.map((r) => r?.text)).to.deep.equal([scene.truth.text, scene.truth.text, scene.truth.text]);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).to.be.greaterThan(3);
    expect(threadId).to.equal(0);
  });

  it('passes typed errors back across the thread boundary', async () => {
    const corrupt = await reader.readScene(Buffer.from('not an image')).catch((e: unknown) => e);
    expect(corrupt).to.be.instanceOf(ImageRejectedError);
    expect((corrupt as ImageRejectedError).code).to.equal('image-unsupported-format');
    const small = await createPlateReaderInWorker({ limits: { maxPixels: 1000 } });
    try {
      const crop = await syntheticPlateCrop(2006);
      expect(await small.readCrop(crop.image).catch((e: unknown) => e)).to.be.instanceOf(ImageTooLargeError);
    } finally {
      await small.close();
    }
  });

  it('passes the plate colour hint to the worker, and its refusal of an unknown colour back', async () => {
    const crop = await syntheticPlateCrop(3, { kind: 'car', text: '29QT-123.45' });
    const hinted = await reader.readCrop(crop.image, 'car', { colour: 'white-red' });
    expect([hinted!.text, ...(hinted!.alternatives ?? [])].some((t) => t.startsWith('29DT'))).to.equal(false);
    const [batched] = await reader.readCrops([{ image: crop.image, kind: 'car', colour: 'white-red' }]);
    expect(batched).to.deep.equal(hinted);
    const refused = await reader.readCrop(crop.image, 'car', { colour: 'green' as 'white' }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ValidationError);
    expect((refused as ValidationError).code).to.equal('plate-colour-invalid');
  });

  it('fails to start with PlateReaderUnavailableError when the models are missing', async () => {
    const modelPaths = { detection: '/nonexistent/det.onnx', recognition: '/nonexistent/rec.onnx', dictionary: '/nonexistent/keys.txt' };
    const error = await createPlateReaderInWorker({ modelPaths }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PlateReaderUnavailableError);
    expect((error as PlateReaderUnavailableError).category).to.equal('unavailable');
  });

  it('refuses calls after close', async () => {
    const closing = await createPlateReaderInWorker();
    await closing.close();
    const crop = await syntheticPlateCrop(2007);
    expect(await closing.readCrop(crop.image).catch((e: unknown) => e)).to.be.instanceOf(PlateReaderUnavailableError);
  });
});
