import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import sharp from 'sharp';
import { EvidenceNotFoundError, FileSystemEvidenceStore } from '../../../src/adapters/evidence/index.ts';
import { CaseEventSchemas } from '../../../src/domain/case/events.ts';
import {
  evidenceDerivedFields,
  InvalidBoxError,
  InvalidMediaRequestError,
  MediaSourceMismatchError,
  processMediaJob,
  UnsupportedImageError,
  type MediaEvidenceStore,
  type MediaJob,
} from '../../../src/workers/media/index.ts';
import { expectRejects } from './support/assert.ts';
import { PLATE_BOX, sceneJpeg, VEHICLE_BOX } from './support/images.ts';

const run = promisify(execFile);

describe('media job processor (real sharp, real filesystem evidence store)', () => {
  let root: string;
  let evidence: FileSystemEvidenceStore;
  let original: Buffer;
  let job: MediaJob;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'media-'));
    evidence = await FileSystemEvidenceStore.open(join(root, 'evidence'));
    original = await sceneJpeg();
    const { digest } = await evidence.put(original, { mediaType: 'image/jpeg' });
    job = {
      sourceDigest: digest,
      mediaType: 'image/jpeg',
      caption: {
        time: '2026-11-24T09:00:05Z',
        place: 'Cầu Giấy, Hà Nội',
        cameraId: 'cam-29-0001',
        violation: { code: 'RED-01', title: 'Vượt đèn đỏ' },
      },
      boxes: { plate: PLATE_BOX, vehicles: [VEHICLE_BOX] },
    };
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores every derived copy as a new blob and returns what an EvidenceDerived event needs', async () => {
    const stored = await processMediaJob(job, { evidence });
    expect(stored.map((s) => s.role)).to.deep.equal(['thumbnail', 'plate-crop', 'captioned', 'privacy']);
    for (const item of stored) {
      expect(item.created).to.equal(true);
      expect(item.sourceDigest).to.equal(job.sourceDigest);
      expect(item).to.not.have.property('bytes');
      expect(await evidence.stat(item.digest)).to.deep.equal({ digest: item.digest, size: item.size });
      const bytes = Buffer.from(await evidence.getBytes(item.digest));
      expect((await sharp(bytes).metadata()).format).to.equal('jpeg');
      // The payload passes the case event schema as the queue layer will submit it.
      const data = { ...evidenceDerivedFields(item), derivedAt: '2026-11-24T09:00:06.000Z' };
      expect(() => CaseEventSchemas.EvidenceDerived.parse(data)).to.not.throw();
    }
    expect(stored.find((s) => s.role === 'privacy')!.parameters.keepBoxes).to.equal(
      '480,300,360,260;590,470,140,44',
    );
    // The original is still there, unchanged.
    expect(Buffer.from(await evidence.getBytes(job.sourceDigest)).equals(original)).to.equal(true);
  });

  it('is idempotent: a retry derives the same digests and stores nothing new', async () => {
    const first = await processMediaJob(job, { evidence });
    const second = await processMediaJob(job, { evidence });
    expect(second.map((s) => s.digest)).to.deep.equal(first.map((s) => s.digest));
    expect(second.every((s) => s.created === false)).to.equal(true);
  });

  it('derives only a thumbnail when there are no boxes and no caption', async () => {
    const stored = await processMediaJob(
      { sourceDigest: job.sourceDigest, mediaType: 'image/jpeg', thumbnailWidth: 160 },
      { evidence },
    );
    expect(stored.map((s) => s.role)).to.deep.equal(['thumbnail']);
    expect(stored[0]!.parameters.width).to.equal(160);
  });

  it('refuses malformed jobs with typed errors and stores nothing', async () => {
    const count = async (): Promise<number> => {
      let n = 0;
      for await (const _ of evidence.list()) n++;
      return n;
    };
    const before = await count();
    await expectRejects(
      processMediaJob({ ...job, sourceDigest: 'sha256:../../etc/passwd' }, { evidence }),
      InvalidMediaRequestError,
    );
    await expectRejects(processMediaJob(null as never, { evidence }), InvalidMediaRequestError);
    await expectRejects(
      processMediaJob({ ...job, mediaType: 'image/svg+xml' }, { evidence }),
      UnsupportedImageError,
    );
    await expectRejects(
      processMediaJob({ ...job, mediaType: 'image/png' }, { evidence }),
      UnsupportedImageError,
    );
    await expectRejects(
      processMediaJob({ ...job, mediaType: 'constructor' }, { evidence }),
      UnsupportedImageError,
    );
    await expectRejects(
      processMediaJob({ ...job, boxes: { plate: { x: 0, y: 0, width: 1, height: 1.5 } } }, { evidence }),
      InvalidBoxError,
    );
    await expectRejects(
      processMediaJob({ ...job, boxes: { vehicles: 'all' as never } }, { evidence }),
      InvalidMediaRequestError,
    );
    await expectRejects(
      processMediaJob({ ...job, caption: { ...job.caption!, time: 'now' } }, { evidence }),
      InvalidMediaRequestError,
    );
    expect(await count()).to.equal(before);
    // A well-formed digest the store does not hold surfaces the store's own typed error.
    await expectRejects(
      processMediaJob({ ...job, sourceDigest: `sha256:${'0'.repeat(64)}` }, { evidence }),
      EvidenceNotFoundError,
    );
  });

  it('refuses bytes from a store that do not hash to the source digest', async () => {
    const lying: MediaEvidenceStore = {
      getBytes: async () => sceneJpeg().then((b) => Buffer.concat([b, Buffer.from([0])])),
      put: (b, o) => evidence.put(b, o),
    };
    await expectRejects(processMediaJob(job, { evidence: lying }), MediaSourceMismatchError);
  });

  it('runs as a BullMQ-style sandboxed processor in its own process, deriving the same bytes as this one', async () => {
    const here = await processMediaJob(job, { evidence });
    const processor = new URL('../../../src/node/media-processor.ts', import.meta.url).href;
    const script = `const m = await import(${JSON.stringify(processor)}); const out = await m.default({ data: JSON.parse(process.env.MEDIA_JOB) }); process.stdout.write(JSON.stringify(out));`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      env: { ...process.env, EVIDENCE_DIR: join(root, 'evidence'), MEDIA_JOB: JSON.stringify(job) },
    });
    const out = JSON.parse(stdout) as Array<{ role: string; digest: string; created: boolean }>;
    expect(out.map((o) => o.role)).to.deep.equal(['thumbnail', 'plate-crop', 'captioned', 'privacy']);
    for (const o of out) expect(await evidence.has(o.digest)).to.equal(true);
    expect(out.map((o) => o.digest)).to.deep.equal(here.map((h) => h.digest));
    expect(out.every((o) => o.created === false)).to.equal(true);
  });
});
