/** What a case may know about an AI model version (passed into case commands as `context.model`). */
import type { ModelState } from './state.ts';

export interface ModelView {
  modelId: string;
  name: string;
  version: string;
  status: 'registered' | 'approved' | 'suspended';
}

export function modelView(state: ModelState): ModelView | undefined {
  if (state.status === 'unregistered') return undefined;
  return { modelId: state.modelId, name: state.name, version: state.version, status: state.status };
}

/** Usable as evidence: approved by a human and not suspended since. */
export function isModelApproved(model: ModelView | undefined): model is ModelView & { status: 'approved' } {
  return model?.status === 'approved';
}
