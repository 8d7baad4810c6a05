/** Messages between `createPlateReaderInWorker` and its worker thread. Plain, structured-clonable data only. */
import type { ErrorCategory } from '../../domain/shared/errors.ts';
import type { PlateColour, VehicleKind } from '../../domain/plates/index.ts';
import type { ModelIdentity } from './models.ts';
import type { PlateReading } from './reader.ts';

export type WorkerRequest =
  | { id: number; op: 'scene'; image: ArrayBuffer; colour?: PlateColour }
  | { id: number; op: 'crop'; image: ArrayBuffer; kind?: VehicleKind; colour?: PlateColour }
  | { id: number; op: 'crops'; crops: { image: ArrayBuffer; kind?: VehicleKind; colour?: PlateColour }[] }
  | { id: number; op: 'close' };

export interface WorkerErrorDescription {
  name: string;
  code: string;
  category: ErrorCategory;
  message: string;
}

export type WorkerReply =
  | { type: 'ready'; identity: ModelIdentity }
  | { type: 'fatal'; error: WorkerErrorDescription }
  | { type: 'result'; id: number; result: PlateReading | null }
  | { type: 'results'; id: number; results: (PlateReading | null)[] }
  | { type: 'error'; id: number; error: WorkerErrorDescription };
