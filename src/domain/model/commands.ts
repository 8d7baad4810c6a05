import type { CommandBase } from '../decider.ts';
import type { ModelFile } from './events.ts';

/** Model commands; `province` is "00" (model versions are national records). */
export type ModelCommand =
  | (CommandBase & {
      type: 'RegisterModelVersion';
      modelId: string;
      name: string;
      version: string;
      files: ModelFile[];
    })
  /** Only a human officer (actor kind `officer`) may approve; re-approval lifts a suspension. */
  | (CommandBase & { type: 'ApproveModelVersion'; modelId: string; note?: string })
  | (CommandBase & { type: 'SuspendModelVersion'; modelId: string; reason: string });

export type ModelCommandType = ModelCommand['type'];

export const MODEL_COMMAND_TYPES = [
  'RegisterModelVersion',
  'ApproveModelVersion',
  'SuspendModelVersion',
] as const satisfies readonly ModelCommandType[];
