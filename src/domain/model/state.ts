import type { ModelFile } from './events.ts';

export interface ModelFacts {
  modelId: string;
  name: string;
  version: string;
  files: ModelFile[];
}

export type ModelState =
  | { status: 'unregistered' }
  | ({ status: 'registered' } & ModelFacts)
  | ({ status: 'approved'; approvedBy: string; approvedAt: string } & ModelFacts)
  | ({ status: 'suspended'; suspendedReason: string } & ModelFacts);

export type ModelStatus = ModelState['status'];
