/**
 * The edge node's copy of the cameras it serves (status, keys in force, calibrations), read from the
 * provincial node with a request signed by the edge key (`GET /v1/edge/cameras/:cameraId`) and kept on disk,
 * so the edge verifies a camera's signatures exactly as the node does, also while the link is down.
 *
 * A view younger than `refreshMs` is used as it is; an older one is used too, and refreshed in the
 * background (a key rotation or revocation reaches the edge within `refreshMs` while the link is up). A camera
 * the edge has never seen cannot be verified while the link is down: 503 `edge-camera-unknown`, with
 * Retry-After, so the camera keeps the detection and retries (never a silent loss).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../domain/shared/errors.ts';
import type { CameraView } from '../../domain/camera/view.ts';
import { signEdgeSync } from '../../domain/signoff/edge-receipt.ts';
import type { CameraSource } from '../http/routes/ingest.ts';

export class EdgeCameraUnknownError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'edge-camera-unknown';
  readonly retryAfterSeconds = 30;
}

export interface EdgeIdentity {
  edgeId: string;
  secretKey: Uint8Array;
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

export class EdgeCameraDirectory implements CameraSource {
  private readonly views = new Map<string, { view: CameraView | undefined; fetchedAt: number }>();
  private readonly inFlight = new Map<string, Promise<CameraView | undefined>>();

  constructor(
    private readonly dir: string,
    private readonly upstream: string,
    private readonly identity: EdgeIdentity,
    private readonly refreshMs = 60_000,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  async get(cameraId: string): Promise<CameraView | undefined> {
    if (!SAFE_ID.test(cameraId)) return undefined;
    const cached = this.views.get(cameraId) ?? (await this.fromDisk(cameraId));
    if (cached) {
      if (Date.now() - cached.fetchedAt > this.refreshMs) void this.fetch(cameraId).catch((e: Error) => this.onError(e));
      return cached.view;
    }
    try {
      return await this.fetch(cameraId);
    } catch {
      throw new EdgeCameraUnknownError('The edge node has not yet seen this camera and cannot reach the provincial node');
    }
  }

  private async fromDisk(cameraId: string): Promise<{ view: CameraView; fetchedAt: number } | undefined> {
    try {
      const stored = JSON.parse(await readFile(join(this.dir, `${cameraId}.json`), 'utf8')) as {
        view: CameraView;
        fetchedAt: number;
      };
      this.views.set(cameraId, stored);
      return stored;
    } catch {
      return undefined;
    }
  }

  private fetch(cameraId: string): Promise<CameraView | undefined> {
    const running = this.inFlight.get(cameraId);
    if (running) return running;
    const work = this.fetchNow(cameraId).finally(() => this.inFlight.delete(cameraId));
    this.inFlight.set(cameraId, work);
    return work;
  }

  private async fetchNow(cameraId: string): Promise<CameraView | undefined> {
    const at = new Date().toISOString();
    const response = await fetch(`${this.upstream}/v1/edge/cameras/${encodeURIComponent(cameraId)}`, {
      headers: {
        'x-edge-id': this.identity.edgeId,
        'x-edge-time': at,
        'x-edge-signature': signEdgeSync(this.identity.edgeId, cameraId, at, this.identity.secretKey),
      },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 404) {
      await response.arrayBuffer();
      // Not a camera of this province (or not registered): remembered briefly, not on disk.
      this.views.set(cameraId, { view: undefined, fetchedAt: Date.now() });
      return undefined;
    }
    if (!response.ok) {
      const text = await response.text();
      throw new Error(`camera sync answered ${response.status}: ${text.slice(0, 200)}`);
    }
    const view = (await response.json()) as CameraView;
    const stored = { view, fetchedAt: Date.now() };
    this.views.set(cameraId, stored);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `.${cameraId}.tmp`);
    await writeFile(tmp, JSON.stringify(stored), { mode: 0o600 });
    await rename(tmp, join(this.dir, `${cameraId}.json`));
    return view;
  }
}
