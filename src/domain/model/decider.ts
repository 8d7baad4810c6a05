/**
 * AI model version decider. A version is registered with the digests of its files, approved by a human
 * officer, and may be suspended (and approved again). Only approved versions produce usable readings.
 */
import type { Decider } from '../decider.ts';
import { assertNever } from '../shared/errors.ts';
import { InvalidCommandError } from '../signoff/errors.ts';
import {
  requireActorKind,
  requireKnownCommand,
  requireNow,
  requireSameProvince,
  requireText,
} from '../signoff/guards.ts';
import { NATIONAL_PROVINCE } from '../signoff/primitives.ts';
import { MODEL_COMMAND_TYPES, type ModelCommand } from './commands.ts';
import {
  ModelAlreadyApprovedError,
  ModelAlreadyRegisteredError,
  ModelAlreadySuspendedError,
  ModelNotRegisteredError,
} from './errors.ts';
import { ModelEventSchemas, type ModelEvent } from './events.ts';
import type { ModelFacts, ModelState } from './state.ts';

type Registered = Exclude<ModelState, { status: 'unregistered' }>;

function requireRegistered(state: ModelState, command: ModelCommand): Registered {
  if (state.status === 'unregistered')
    throw new ModelNotRegisteredError('Model version is not registered', {});
  if (command.modelId !== state.modelId)
    throw new InvalidCommandError('modelId does not match the stream', {});
  return state;
}

function decide(command: ModelCommand, state: ModelState): ModelEvent[] {
  requireKnownCommand(command?.type, MODEL_COMMAND_TYPES);
  const now = requireNow(command);
  requireSameProvince(command, NATIONAL_PROVINCE);
  switch (command.type) {
    case 'RegisterModelVersion': {
      requireActorKind(command, ['officer', 'system'], 'register a model version');
      if (state.status !== 'unregistered')
        throw new ModelAlreadyRegisteredError('Model version is already registered', {});
      const data = {
        modelId: command.modelId,
        name: command.name,
        version: command.version,
        files: command.files,
        registeredAt: now,
      };
      const parsed = ModelEventSchemas.ModelVersionRegistered.safeParse(data);
      if (!parsed.success) {
        throw new InvalidCommandError('Model version is malformed', {
          issues: parsed.error.issues.slice(0, 5).map((i) => i.path.join('.')),
        });
      }
      const names = new Set(command.files.map((f) => f.name));
      if (names.size !== command.files.length)
        throw new InvalidCommandError('File names must be unique', { field: 'files' });
      return [{ type: 'ModelVersionRegistered', data: parsed.data }];
    }
    case 'ApproveModelVersion': {
      // AI may propose; only a human approves what AI is allowed to propose.
      requireActorKind(command, ['officer'], 'approve a model version');
      const model = requireRegistered(state, command);
      if (model.status === 'approved')
        throw new ModelAlreadyApprovedError('Model version is already approved', {});
      if (command.note !== undefined) requireText(command.note, 'note');
      return [
        {
          type: 'ModelVersionApproved',
          data: {
            modelId: model.modelId,
            approvedBy: command.actor.id,
            ...(command.note !== undefined ? { note: command.note } : {}),
            approvedAt: now,
          },
        },
      ];
    }
    case 'SuspendModelVersion': {
      requireActorKind(command, ['officer', 'system'], 'suspend a model version');
      const model = requireRegistered(state, command);
      requireText(command.reason, 'reason');
      if (model.status === 'suspended')
        throw new ModelAlreadySuspendedError('Model version is already suspended', {});
      return [
        {
          type: 'ModelVersionSuspended',
          data: { modelId: model.modelId, reason: command.reason, suspendedAt: now },
        },
      ];
    }
    default:
      return assertNever(command, 'model command');
  }
}

function facts(state: Registered): ModelFacts {
  const { modelId, name, version, files } = state;
  return { modelId, name, version, files };
}

function evolve(state: ModelState, event: ModelEvent): ModelState {
  switch (event.type) {
    case 'ModelVersionRegistered': {
      if (state.status !== 'unregistered') return state;
      const { modelId, name, version, files } = event.data;
      return { status: 'registered', modelId, name, version, files };
    }
    case 'ModelVersionApproved':
      return state.status === 'unregistered'
        ? state
        : {
            status: 'approved',
            approvedBy: event.data.approvedBy,
            approvedAt: event.data.approvedAt,
            ...facts(state),
          };
    case 'ModelVersionSuspended':
      return state.status === 'unregistered'
        ? state
        : { status: 'suspended', suspendedReason: event.data.reason, ...facts(state) };
    default:
      return assertNever(event, 'model event');
  }
}

function initialState(): ModelState {
  return { status: 'unregistered' };
}

export const modelDecider: Decider<ModelCommand, ModelEvent, ModelState> = { decide, evolve, initialState };
