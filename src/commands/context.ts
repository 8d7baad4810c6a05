/**
 * Context loaders: fold the camera, officer and model streams into the views case commands carry, so the
 * case decider stays pure. A view is undefined when its stream does not exist ("not registered"), and the
 * decider refuses such a command itself.
 *
 * A view is read at one moment and is not locked: a key revoked between loading the view and appending the
 * case event is not seen by that decision. The ledger orders both records, and verification (bundle.md §7–8)
 * judges a signature by the keys in force at the record's leaf index, so such a race is visible, not hidden.
 */
import { StreamNotFoundError, type EventStore } from '../ports/eventstore.ts';
import { cameraDecider } from '../domain/camera/decider.ts';
import { parseCameraEvent } from '../domain/camera/events.ts';
import { cameraView, type CameraView } from '../domain/camera/view.ts';
import { modelDecider } from '../domain/model/decider.ts';
import { parseModelEvent } from '../domain/model/events.ts';
import { modelView, type ModelView } from '../domain/model/view.ts';
import { officerDecider } from '../domain/officer/decider.ts';
import { parseOfficerEvent } from '../domain/officer/events.ts';
import { officerView, type OfficerView } from '../domain/officer/view.ts';
import { streams } from '../domain/record.ts';
import { loadStream } from './handler.ts';

export async function loadCameraView(store: EventStore, cameraId: string): Promise<CameraView | undefined> {
  const { state } = await loadStream(store, streams.camera(cameraId), cameraDecider, parseCameraEvent);
  return cameraView(state);
}

export async function loadOfficerView(store: EventStore, officerId: string): Promise<OfficerView | undefined> {
  const { state } = await loadStream(store, streams.officer(officerId), officerDecider, parseOfficerEvent);
  return officerView(state);
}

export async function loadModelView(store: EventStore, modelId: string): Promise<ModelView | undefined> {
  const { state } = await loadStream(store, streams.model(modelId), modelDecider, parseModelEvent);
  return modelView(state);
}

/**
 * Camera views keyed by the camera stream's head revision, for the ingest hot path: each lookup reads only
 * the stream's last record (one indexed single-row read) and folds the whole stream again only when that
 * revision moved. Streams are append-only, so an unchanged head revision means an unchanged view: a key
 * rotation, revocation, suspension or decommissioning appends a record and so takes effect for the very next
 * lookup, in this process or any other. Bounded: the oldest entry is dropped past `maxEntries`.
 */
export class CameraViewCache {
  private readonly entries = new Map<string, { revision: bigint; view: CameraView | undefined }>();
  /** Full stream folds done (for tests and metrics). */
  loads = 0;

  constructor(
    private readonly store: EventStore,
    private readonly maxEntries = 10_000,
  ) {}

  async get(cameraId: string): Promise<CameraView | undefined> {
    const stream = streams.camera(cameraId);
    let head: bigint;
    try {
      const last = await this.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      head = last.length === 0 ? -1n : BigInt(last[0]!.record.revision);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
    const cached = this.entries.get(cameraId);
    if (cached && cached.revision === head) return cached.view;
    const loaded = await loadStream(this.store, stream, cameraDecider, parseCameraEvent);
    this.loads++;
    const view = cameraView(loaded.state);
    this.entries.delete(cameraId);
    this.entries.set(cameraId, { revision: loaded.revision, view });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return view;
  }
}
