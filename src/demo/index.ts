/**
 * Demo data for an embedded node: cameras, officers and an approved plate-reading model with fresh keys,
 * signed synthetic detections with generated images ingested through the same command path as the API,
 * and officers' reviews and decisions signed with their own keys.
 *
 * Keys are written to `<dataDir>/demo-keys/<subject>.key` (mode 0600, the `tec keygen` format) so a person
 * can sign in to the review UI as a demo officer and import that officer's key.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandDeps } from '../commands/deps.ts';
import type { Caller } from '../commands/outcome.ts';
import { registerCamera, certifyCalibration } from '../commands/cameras.ts';
import { enrollOfficer } from '../commands/officers.ts';
import { approveModelVersion } from '../commands/models.ts';
import { registerPlateModel } from '../workers/pipeline.ts';
import { loadModelIdentity } from '../workers/inference/index.ts';
import {
  ingestDetection,
  confirmReview,
  rejectReview,
  decidePenalty,
  drawViolationRecord,
  identifyDriver,
  identifyOwner,
  issueNotice,
  recordPayment,
  submitExplanation,
  transferCase,
} from '../commands/cases.ts';
import { generateKeyPair, keyIdOf, type Ed25519KeyPair } from '../domain/signoff/keys.ts';
import {
  buildDetectionPayload,
  buildReviewSignoff,
  buildDecisionSignoff,
  buildRecordSignoff,
  buildTransferSignoff,
} from '../domain/signoff/builders.ts';
import { signDetection, signSignoff } from '../domain/signoff/signing.ts';
import { lookupViolation } from '../domain/catalog/index.ts';
import { parsePlate } from '../domain/plates/index.ts';
import { StreamNotFoundError, type EventStore } from '../ports/eventstore.ts';
import type { EvidenceStore } from '../ports/evidence.ts';
import type { OwnerContact, RegisteredVehicle } from '../ports/registry.ts';
import { loadStream } from '../commands/handler.ts';
import { ConcurrentModificationError, RevisionMismatchError } from '../commands/errors.ts';
import { caseDecider } from '../domain/case/decider.ts';
import { parseCaseEvent } from '../domain/case/events.ts';
import { InvalidCaseTransitionError, OverrideReasonRequiredError } from '../domain/case/errors.ts';
import { streams } from '../domain/record.ts';
import { syntheticScene } from './synthetic-plates.ts';
import type { RoadType } from '../domain/signoff/primitives.ts';

/** What the demo needs of a running node (src/node's `RunningNode` satisfies it). */
export interface DemoNode {
  config: { dataDir: string };
  store: EventStore;
  evidence: EvidenceStore;
  commandDeps: CommandDeps;
  /** The in-process registry stand-in, when the node runs one: demo vehicles are registered in it. */
  standInRegistry?: { add(vehicle: RegisteredVehicle): void; addPerson?(person: OwnerContact): void } | undefined;
}

export interface DemoOptions {
  cases?: number;
  print?: (line: string) => void;
  /** Seed for the synthetic images and choices; the same seed gives the same plates. */
  seed?: number;
  /**
   * With the node's workers running: wait (at most `timeoutMs` per wait) for each case's AI plate reading before
   * the demo officers review, and for the owner lookup before a supervisor decides, or for that job's recorded
   * failure, as an officer's screen would. Cases whose result did not arrive are counted in one printed line
   * (no plates) and signed without it.
   */
  waitForReadings?: { timeoutMs: number };
  /**
   * Only these provinces' cameras and officers (a `--tier province` node of `tec federation-demo`); default
   * both demo provinces, 01 and 79. The national C08 officer is always enrolled (it approves the model).
   */
  provinces?: readonly string[];
}

export interface DemoKey {
  subject: string;
  pair: Ed25519KeyPair;
  keyId: string;
}

export interface DemoOfficer extends DemoKey {
  province: string;
  title: string;
  roles: ('reviewer' | 'decider' | 'supervisor')[];
}

export interface DemoCamera extends DemoKey {
  province: string;
  roadType: RoadType;
  description: string;
  latMicro: number;
  lonMicro: number;
  /** Official commune code (2025 list). */
  communeCode?: string;
  /** Expressway route code, for a camera on an expressway. */
  routeCode?: string;
}

export interface DemoResult {
  cameras: DemoCamera[];
  officers: DemoOfficer[];
  modelId: string;
  caseIds: string[];
  decidedCaseIds: string[];
  /** Decided cases paid (the first decided one: explanation, driver named, record, decision, payment). */
  paidCaseIds: string[];
  /** Cases transferred to the owner's province instead of a notice (Circular 73/2024 Art. 24). */
  transferredCaseIds: string[];
  rejectedCaseIds: string[];
  /** Plate and registration certificate pairs the citizen lookup accepts. */
  citizenSamples: { plate: string; registrationNumber: string }[];
}

const SYSTEM: Caller = { actor: { kind: 'system', id: 'demo-seed' }, province: '00' };

function writeKey(dir: string, key: DemoKey): void {
  const file = join(dir, `${key.subject}.key`);
  if (existsSync(file)) return;
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        kind: 'tec-ed25519-key/v1',
        subject: key.subject,
        seed: Buffer.from(key.pair.secretKey.subarray(0, 32)).toString('base64'),
        publicKey: key.pair.publicKey,
        keyId: key.keyId,
      },
      null,
      2,
    )}\n`,
    { mode: 0o600 },
  );
}

function newKey(subject: string): DemoKey {
  const pair = generateKeyPair();
  return { subject, pair, keyId: keyIdOf(pair.publicKey) };
}

/** Seeds the demo when the node holds no demo camera yet; returns undefined when it already did. */
export async function seedDemoIfEmpty(node: DemoNode, options: DemoOptions = {}): Promise<DemoResult | undefined> {
  try {
    await node.store.readStream(`camera-cam-${options.provinces?.[0] ?? '01'}-0001`, { maxCount: 1 });
    options.print?.('demo: data already present');
    return undefined;
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return seedDemo(node, options);
}

export async function seedDemo(node: DemoNode, options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? (() => {});
  const deps = node.commandDeps;
  const keyDir = join(node.config.dataDir, 'demo-keys');
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const now = new Date(deps.clock.now());

  // Cameras: two provinces, three cameras each, calibrated for a year around now.
  const cameraSpecs: Omit<DemoCamera, keyof DemoKey>[] = [
    // Commune codes: the 2025 list (reference/communes-vn-2025.csv); route codes: reference/expressways-vn.csv.
    { province: '01', roadType: 'urban', description: 'Ngã tư Láng Hạ – Thái Hà, Đống Đa', latMicro: 21014500, lonMicro: 105815200, communeCode: '00199' }, // Phường Láng
    { province: '01', roadType: 'urban', description: 'Nút giao Kim Mã – Liễu Giai, Ba Đình', latMicro: 21030700, lonMicro: 105814300, communeCode: '00008' }, // Phường Ngọc Hà
    { province: '01', roadType: 'expressway', description: 'Cao tốc Pháp Vân – Cầu Giẽ, Km 195', latMicro: 20900100, lonMicro: 105870000, communeCode: '10183', routeCode: 'CT.01' }, // Xã Thường Tín
    { province: '79', roadType: 'urban', description: 'Ngã tư Hàng Xanh, Bình Thạnh', latMicro: 10801200, lonMicro: 106711300, communeCode: '26956' }, // Phường Thạnh Mỹ Tây
    { province: '79', roadType: 'national-highway', description: 'Quốc lộ 1, cầu vượt Linh Xuân, Thủ Đức', latMicro: 10880600, lonMicro: 106776900, communeCode: '26800' }, // Phường Linh Xuân
    { province: '79', roadType: 'expressway', description: 'Cao tốc TP.HCM – Long Thành, Km 12', latMicro: 10790000, lonMicro: 106790000, communeCode: '27097', routeCode: 'CT.01' }, // Phường Bình Trưng
  ];
  const counters = new Map<string, number>();
  const served = (province: string) => options.provinces === undefined || options.provinces.includes(province);
  const cameras: DemoCamera[] = cameraSpecs.filter((spec) => served(spec.province)).map((spec) => {
    const n = (counters.get(spec.province) ?? 0) + 1;
    counters.set(spec.province, n);
    return { ...spec, ...newKey(`cam-${spec.province}-${String(n).padStart(4, '0')}`) };
  });
  const validFrom = new Date(now.getTime() - 200 * 86400_000).toISOString();
  const validTo = new Date(now.getTime() + 165 * 86400_000).toISOString();
  for (const camera of cameras) {
    writeKey(keyDir, camera);
    const caller: Caller = { actor: SYSTEM.actor, province: camera.province };
    await registerCamera(deps, caller, {
      cameraId: camera.subject,
      location: { latMicro: camera.latMicro, lonMicro: camera.lonMicro, description: camera.description, roadType: camera.roadType },
      ...(camera.communeCode ? { communeCode: camera.communeCode } : {}),
      ...(camera.routeCode ? { routeCode: camera.routeCode } : {}),
      publicKey: camera.pair.publicKey,
    });
    await certifyCalibration(deps, caller, {
      cameraId: camera.subject,
      certificateId: `kd-${camera.subject}-2026`,
      issuer: 'Trung tâm Đo lường (demo)',
      validFrom,
      validTo,
    });
  }
  const registeredAt = Date.parse(deps.clock.now());
  print(`demo: registered ${cameras.length} cameras`);

  // Officers: per province a reviewer and a director (authority up to 37.5M VND); one national C08 officer.
  const officers: DemoOfficer[] = [];
  for (const province of ['01', '79'].filter(served)) {
    officers.push({ ...newKey(`officer-${province}-reviewer`), province, title: 'officer-on-duty', roles: ['reviewer'] });
    officers.push({
      ...newKey(`officer-${province}-director`),
      province,
      title: 'provincial-police-director',
      roles: ['reviewer', 'decider', 'supervisor'],
    });
  }
  officers.push({ ...newKey('officer-00-c08'), province: '00', title: 'c08-director', roles: ['reviewer', 'decider', 'supervisor'] });
  for (const officer of officers) {
    writeKey(keyDir, officer);
    await enrollOfficer(deps, { actor: SYSTEM.actor, province: officer.province }, {
      officerId: officer.subject,
      title: officer.title,
      roles: officer.roles,
      publicKey: officer.pair.publicKey,
    });
  }
  print(`demo: enrolled ${officers.length} officers; their key files are in ${keyDir}`);

  // The plate-reading model, registered by file digest and approved by a human (the national officer).
  const modelId = await registerPlateModel(deps, await loadModelIdentity(), SYSTEM);
  const c08 = officers.find((o) => o.province === '00')!;
  await approveModelVersion(deps, { actor: { kind: 'officer', id: c08.subject }, province: '00' }, { modelId, note: 'Demo approval' });

  // Detections, reviews and decisions.
  const total = options.cases ?? 12;
  const caseIds: string[] = [];
  const decidedCaseIds: string[] = [];
  const rejectedCaseIds: string[] = [];
  const paidCaseIds: string[] = [];
  const transferredCaseIds: string[] = [];
  const citizenSamples: { plate: string; registrationNumber: string }[] = [];
  const seed = options.seed ?? 20261124;
  const ingestedCases = [];
  const reviewedInDemo = (i: number) => i % 5 !== 4 && i < Math.ceil((total * 2) / 3);
  // One Hà Nội case whose owner resides in TP. Hồ Chí Minh (the registry stand-in says so): the notice worker
  // holds it, and the director transfers it to 79 (Circular 73/2024 Art. 24) instead of noticing it here.
  const transferIndex = [...Array(total).keys()].find((i) => cameras[i % cameras.length]?.province === '01' && reviewedInDemo(i) && i % 2 === 0);
  for (let i = 0; i < total; i++) {
    const camera = cameras[i % cameras.length]!;
    // Motorbikes may not use expressways (Law on Road Traffic Order and Safety 2024, Art. 26): none is placed there.
    const kind: 'car' | 'motorbike' = i % 3 === 2 && camera.roadType !== 'expressway' ? 'motorbike' : 'car';
    const scene = await syntheticScene(seed + i, { kind });
    const put = await node.evidence.put(scene.image, { mediaType: 'image/jpeg' });
    const plate = parsePlate(scene.truth.text, kind);
    // The stand-in registry learns the demo vehicles, so owner lookups and the citizen page find them.
    const registrationNumber = `DK-${camera.province}-${String(seed + i).slice(-6)}`;
    const residenceProvince = i === transferIndex ? '79' : camera.province;
    node.standInRegistry?.add({
      plate: plate.compact,
      registrationNumber,
      vehicleClass: kind,
      owner: {
        ref: `own-demo-${String(i + 1).padStart(4, '0')}`,
        kind: 'individual',
        name: `Chủ xe minh hoạ ${i + 1}`,
        address: `${i + 1} Đường Minh Hoạ, ${residenceProvince === '01' ? 'Hà Nội' : 'TP. Hồ Chí Minh'}`,
        email: `demo-owner-${i + 1}@example.invalid`,
        residenceProvince,
      },
    });
    citizenSamples.push({ plate: plate.text, registrationNumber });
    // A key is in force from its registration: observations follow it (a real camera's clock does too).
    const observedAt = new Date(Math.max(registeredAt + 1 + i, Date.parse(deps.clock.now()) - 200)).toISOString();
    const speeding = camera.roadType !== 'urban';
    const violationCode = speeding ? (kind === 'car' ? '168.6.5.đ' : '168.7.4.a') : kind === 'car' ? '168.6.9.b' : '168.7.7.c';
    const detection = buildDetectionPayload({
      detectionId: `det-${camera.subject}-${seed + i}`,
      cameraId: camera.subject,
      observedAt,
      location: { latMicro: camera.latMicro, lonMicro: camera.lonMicro, description: camera.description, roadType: camera.roadType },
      violationCode,
      vehicleClass: kind,
      ...(speeding ? { measurements: { speedKmh: kind === 'car' ? 112 : 72, limitKmh: kind === 'car' ? 100 : 60 } } : {}),
      plateRead: { text: plate.text, confidenceBp: 9300 },
      // Demo cameras sign detection/v2: the colour of the plate they drew (white or yellow background).
      plateColour: scene.truth.background,
      evidence: [{ digest: put.digest, mediaType: 'image/jpeg', size: put.size, role: 'overview' }],
    });
    const ingested = await ingestDetection(
      deps,
      { actor: { kind: 'device', id: camera.subject }, province: camera.province },
      signDetection(detection, camera.pair.secretKey),
    );
    caseIds.push(ingested.caseId);
    ingestedCases.push({ i, camera, kind, plate, violationCode, observedAt, detection, caseId: ingested.caseId });
  }

  // Officers review what their screen shows: with the workers running, the AI reading first.
  if (options.waitForReadings) await awaitPipeline(node.store, caseIds, 'AI reading', options.waitForReadings, print);

  for (const { i, camera, kind, plate, violationCode, observedAt, detection, caseId } of ingestedCases) {
    const ingested = { caseId };

    // Leave the most recent third unreviewed so the review queue has work in it.
    if (i >= Math.ceil((total * 2) / 3)) continue;
    const reviewer = officers.find((o) => o.province === camera.province && o.title === 'officer-on-duty')!;
    const reviewerCaller: Caller = { actor: { kind: 'officer', id: reviewer.subject }, province: camera.province };
    const common = { caseId: ingested.caseId, violationCode, plate: plate.text, evidence: detection.evidence };
    if (i % 5 === 4) {
      await signOff(deps, ingested.caseId, (caseRevision) => {
        const signoff = buildReviewSignoff({ ...common, caseRevision, decision: 'reject', signedAt: deps.clock.now(), rejectReason: 'no-violation' } as Parameters<typeof buildReviewSignoff>[0]);
        return rejectReview(deps, reviewerCaller, { caseId: ingested.caseId, ...signSignoff(signoff, reviewer.pair.secretKey) });
      });
      rejectedCaseIds.push(ingested.caseId);
      continue;
    }
    await signOff(deps, ingested.caseId, (caseRevision, overrideReason) => {
      const review = buildReviewSignoff({
        ...common,
        caseRevision,
        decision: 'confirm',
        signedAt: deps.clock.now(),
        ...(overrideReason ? { overrideReason } : {}),
      } as Parameters<typeof buildReviewSignoff>[0]);
      return confirmReview(deps, reviewerCaller, { caseId: ingested.caseId, ...signSignoff(review, reviewer.pair.secretKey) });
    });

    if (i % 2 === 1) continue; // some confirmed cases wait for a supervisor's decision
    // The procedure of Circular 73/2024 Art. 24 (docs/legal-procedure.md): the owner known, then notified (or the
    // case transferred to the owner's province), the owner's explanation and driver, the violation record, the
    // decision naming the record's offender, and payment.
    if (options.waitForReadings) await awaitPipeline(node.store, [ingested.caseId], 'owner lookup', options.waitForReadings, print);
    const director = officers.find((o) => o.province === camera.province && o.title === 'provincial-police-director')!;
    const directorCaller: Caller = { actor: { kind: 'officer', id: director.subject }, province: camera.province };
    const ownerRef = `own-demo-${String(i + 1).padStart(4, '0')}`;
    const owner = { kind: 'individual' as const, ref: ownerRef };
    const stateOf = async () => (await loadStream(deps.store, streams.case(ingested.caseId), caseDecider, parseCaseEvent)).state;
    // The pipeline's owner lookup and notice may land between the read and the command: then theirs stands.
    const unlessPipelineFirst = (error: unknown) => {
      if (!(error instanceof InvalidCaseTransitionError)) throw error;
    };
    if ((await stateOf()).status === 'confirmed') {
      await untilNoConflict(() => identifyOwner(deps, directorCaller, { caseId: ingested.caseId, owner, registry: 'demo-registry' })).catch(unlessPipelineFirst);
    }
    // The Hà Nội case whose owner lives in TP. Hồ Chí Minh goes there instead of being noticed here: in this
    // node when it serves 79, else across nodes (`federation`: closed here, relayed, opened by 79's node).
    if (i === transferIndex && (await stateOf()).status === 'owner-identified') {
      // The notice worker holds this case (the owner resides in 79); a notice by hand would keep it here.
      const transferred = await signOff(deps, ingested.caseId, (caseRevision) => {
        const transfer = buildTransferSignoff({
          ...common,
          caseRevision,
          signedAt: deps.clock.now(),
          toProvince: '79',
          reason: 'Chủ xe cư trú tại TP. Hồ Chí Minh (demo)',
        } as Parameters<typeof buildTransferSignoff>[0]);
        const handover = served('79') ? ('in-node' as const) : ('federation' as const);
        return transferCase(deps, directorCaller, { caseId: ingested.caseId, ...signSignoff(transfer, director.pair.secretKey), handover });
      }).then(
        () => true,
        (error: unknown) => {
          if (error instanceof InvalidCaseTransitionError) return false;
          throw error;
        },
      );
      if (transferred) {
        transferredCaseIds.push(ingested.caseId);
        continue;
      }
    }
    if (options.waitForReadings) await awaitPipeline(node.store, [ingested.caseId], 'notice', options.waitForReadings, print);
    if ((await stateOf()).status === 'owner-identified') {
      await untilNoConflict(() => issueNotice(deps, directorCaller, { caseId: ingested.caseId, noticeId: `ntc-demo-${i + 1}`, channel: 'vnetraffic' })).catch(unlessPipelineFirst);
    }
    // The first decided case: the owner explains in person that a relative drove, and names the driver.
    const withDriver = decidedCaseIds.length === 0;
    const statement = 'Người điều khiển phương tiện hôm đó là người thân của chủ xe (demo)';
    const driver = { kind: 'individual' as const, ref: `drv-demo-${String(i + 1).padStart(4, '0')}` };
    if (withDriver) {
      // The stand-in registry knows the driver too, so the record and the decision naming them can be printed.
      node.standInRegistry?.addPerson?.({ ref: driver.ref, kind: 'individual', name: `Người điều khiển minh hoạ ${i + 1}`, address: `${i + 1} Phố Minh Hoạ, Hà Nội` });
      await untilNoConflict(() => submitExplanation(deps, directorCaller, { caseId: ingested.caseId, explanationId: `exp-demo-${i + 1}`, channel: 'in-person', statement }));
      await untilNoConflict(() => identifyDriver(deps, directorCaller, { caseId: ingested.caseId, driver, licenceRef: `gplx-demo-${i + 1}` }));
    }
    // The owner the case names (the pipeline's lookup may have identified them before the demo did).
    const named = await stateOf();
    const offender = withDriver ? driver : ('owner' in named && named.owner ? named.owner : owner);
    await signOff(deps, ingested.caseId, (caseRevision) => {
      const record = buildRecordSignoff({
        ...common,
        caseRevision,
        signedAt: deps.clock.now(),
        recordId: `bb-demo-${i + 1}`,
        offender,
        ...(withDriver ? { explanation: statement } : {}),
      } as Parameters<typeof buildRecordSignoff>[0]);
      return drawViolationRecord(deps, reviewerCaller, { caseId: ingested.caseId, ...signSignoff(record, reviewer.pair.secretKey) });
    });
    const entry = lookupViolation(violationCode, kind, observedAt);
    await signOff(deps, ingested.caseId, (caseRevision) => {
      const decision = buildDecisionSignoff({
        ...common,
        caseRevision,
        signedAt: deps.clock.now(),
        fineVnd: entry.fineMinVnd,
        points: entry.points,
        legalBasis: entry.legalBasis,
        offender,
      } as Parameters<typeof buildDecisionSignoff>[0]);
      return decidePenalty(deps, directorCaller, {
        caseId: ingested.caseId,
        ...signSignoff(decision, director.pair.secretKey),
      });
    });
    if (withDriver) {
      await untilNoConflict(() => recordPayment(deps, directorCaller, {
        caseId: ingested.caseId,
        paymentRef: `pay-demo-${i + 1}`,
        amountVnd: entry.fineMinVnd,
        channel: 'state-treasury',
      }));
      paidCaseIds.push(ingested.caseId);
    }
    decidedCaseIds.push(ingested.caseId);
  }
  print(
    `demo: ingested ${caseIds.length} signed detections; ${decidedCaseIds.length} decided (${paidCaseIds.length} paid), ${transferredCaseIds.length} transferred, ${rejectedCaseIds.length} rejected`,
  );
  const sample = citizenSamples.find((_, i) => reviewedInDemo(i));
  if (sample) print(`demo: citizen lookup example: plate ${sample.plate}, registration ${sample.registrationNumber}`);
  // A person trying the portal needs a notice still open to answer, and a fine still to pay or contest.
  const reviewedHere = (i: number) => reviewedInDemo(i) && !transferredCaseIds.includes(caseIds[i]!);
  const toAnswer = citizenSamples.find((_, i) => reviewedHere(i) && i % 2 === 1);
  if (toAnswer) print(`demo: citizen example awaiting an answer to its notice: plate ${toAnswer.plate}, registration ${toAnswer.registrationNumber}`);
  const toPay = citizenSamples.find((_, i) => reviewedHere(i) && i % 2 === 0 && decidedCaseIds.includes(caseIds[i]!) && !paidCaseIds.includes(caseIds[i]!));
  if (toPay) print(`demo: citizen example with a fine to pay or contest: plate ${toPay.plate}, registration ${toPay.registrationNumber}`);
  return { cameras, officers, modelId, caseIds, decidedCaseIds, paidCaseIds, transferredCaseIds, rejectedCaseIds, citizenSamples };
}

/** What the demo officers wait for: a job's result on the case, or that job's final failure. */
const AWAITED = {
  'AI reading': { job: 'inference', results: ['PlateRecognized'] },
  'owner lookup': { job: 'owner-lookup', results: ['OwnerIdentified', 'OwnerNotFound'] },
  notice: { job: 'notice', results: ['NoticeIssued'] },
} as const;

async function settled(store: EventStore, caseId: string, what: keyof typeof AWAITED): Promise<boolean> {
  const { job, results } = AWAITED[what];
  const records = await store.readStream(streams.case(caseId));
  return records.some(
    ({ record }) => (results as readonly string[]).includes(record.type) || (record.type === 'ProcessingFailed' && (record.data as { job?: string }).job === job),
  );
}

async function awaitPipeline(
  store: EventStore,
  caseIds: readonly string[],
  what: keyof typeof AWAITED,
  options: { timeoutMs: number },
  print: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let pending = [...caseIds];
  while (pending.length > 0) {
    const done = await Promise.all(pending.map((id) => settled(store, id, what)));
    pending = pending.filter((_, k) => !done[k]);
    if (pending.length === 0 || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (pending.length > 0) {
    print(`demo: no ${what} for ${pending.length} of ${caseIds.length} case(s) within ${Math.round(options.timeoutMs / 1000)} s; signing without it`);
  }
}

/**
 * An unsigned command the demo's director gives while the workers append to the same case: the handler retries
 * a conflict itself; under heavy load the demo, like a person, tries again rather than stop seeding.
 */
async function untilNoConflict<T>(command: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await command();
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError) || attempt >= 4) throw error;
    }
  }
}

/**
 * Signs at the case's current revision and submits, as an officer's screen does: when the workers appended
 * in between (a plate reading, derived media) the officer reloads and signs again; when the case carries a
 * flag, the reviewer states why the detection stands.
 */
async function signOff(
  deps: CommandDeps,
  caseId: string,
  submit: (caseRevision: number, overrideReason?: string) => Promise<unknown>,
): Promise<void> {
  let overrideReason: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const { revision } = await loadStream(deps.store, streams.case(caseId), caseDecider, parseCaseEvent);
    try {
      await submit(Number(revision), overrideReason);
      return;
    } catch (error) {
      if (attempt >= 8) throw error;
      if (error instanceof OverrideReasonRequiredError && !overrideReason) {
        overrideReason = 'Demo reviewer compared the plate with the overview image';
        continue;
      }
      if (error instanceof ConcurrentModificationError || error instanceof RevisionMismatchError) continue;
      throw error;
    }
  }
}
