/**
 * AI model version services on `model-<modelId>` (national records, province "00"). Approval is a human
 * act the decider restricts to officers. Safe to retry on a conflict: the decider re-checks each command.
 */
import type { ModelCommand } from '../domain/model/commands.ts';
import { modelDecider } from '../domain/model/decider.ts';
import { parseModelEvent } from '../domain/model/events.ts';
import type { ModelState } from '../domain/model/state.ts';
import { streams } from '../domain/record.ts';
import { commandExecutor, commandServices, type ExecuteCommand } from './aggregate.ts';

export const executeModelCommand: ExecuteCommand<ModelCommand, ModelState> = commandExecutor({
  stream: (command) => streams.model(command.modelId),
  decider: modelDecider,
  parseEvent: parseModelEvent,
  retrySafe: () => true,
});

const model = commandServices(executeModelCommand);

export const registerModelVersion = model('RegisterModelVersion');
export const approveModelVersion = model('ApproveModelVersion');
export const suspendModelVersion = model('SuspendModelVersion');
