/**
 * The provincial log registry decider (national, province "00", stream `provincial-logs`). National
 * administrators register a province's log (origin, verifier key, base URL), rotate its key, move it to another
 * base URL and retire it.
 * Invariants: an origin is registered once and never reused; a province has at most one active log; a key
 * is a type-0x01 note verifier key named like the origin whose key id matches; a retired log changes no more.
 */
import type { Decider } from '../decider.ts';
import { nodePrimitives } from '../integrity/ed25519.ts';
import { CheckpointError } from '../integrity/errors.ts';
import { NOTE_KEY_TYPE_ED25519, parseVerifierKeyWith } from '../integrity/note.ts';
import { assertNever } from '../shared/errors.ts';
import { InvalidCommandError } from '../signoff/errors.ts';
import {
  requireActorKind,
  requireKnownCommand,
  requireNow,
  requireProvinceCode,
  requireSameProvince,
  requireText,
} from '../signoff/guards.ts';
import { NATIONAL_PROVINCE } from '../signoff/primitives.ts';
import { PROVINCIAL_LOG_COMMAND_TYPES, type ProvincialLogCommand } from './commands.ts';
import {
  InvalidLogVerifierKeyError,
  ProvinceHasActiveLogError,
  ProvincialLogAlreadyRegisteredError,
  ProvincialLogNotRegisteredError,
  ProvincialLogRetiredError,
} from './errors.ts';
import { ProvincialLogEventSchemas, type ProvincialLogEvent } from './events.ts';
import { activeLogOf, type ProvincialLog, type ProvincialLogRegistry } from './state.ts';

function requireLogKey(vkey: unknown, origin: string): string {
  if (typeof vkey !== 'string') throw new InvalidLogVerifierKeyError('verifierKey must be a string', {});
  try {
    const key = parseVerifierKeyWith(nodePrimitives, vkey);
    if (key.type !== NOTE_KEY_TYPE_ED25519)
      throw new InvalidLogVerifierKeyError('A log key has type 0x01 (a 0x04 key is a witness key)', {});
    if (key.name !== origin)
      throw new InvalidLogVerifierKeyError('A log key is named like its origin', { origin });
  } catch (error) {
    if (error instanceof CheckpointError)
      throw new InvalidLogVerifierKeyError('verifierKey is not a valid note verifier key', {});
    throw error;
  }
  return vkey;
}

function parsed<T extends keyof typeof ProvincialLogEventSchemas>(type: T, data: unknown) {
  const result = ProvincialLogEventSchemas[type].safeParse(data);
  if (!result.success) {
    throw new InvalidCommandError('Provincial log command is malformed', {
      issues: result.error.issues.slice(0, 5).map((i) => i.path.join('.')),
    });
  }
  return { type, data: result.data } as Extract<ProvincialLogEvent, { type: T }>;
}

function requireActive(state: ProvincialLogRegistry, origin: unknown): ProvincialLog {
  const log =
    typeof origin === 'string' && Object.hasOwn(state.logs, origin) ? state.logs[origin] : undefined;
  if (!log) throw new ProvincialLogNotRegisteredError('No provincial log with this origin', {});
  if (log.retiredAt !== undefined) throw new ProvincialLogRetiredError('The provincial log is retired', {});
  return log;
}

function decide(command: ProvincialLogCommand, state: ProvincialLogRegistry): ProvincialLogEvent[] {
  requireKnownCommand(command?.type, PROVINCIAL_LOG_COMMAND_TYPES);
  const now = requireNow(command);
  requireSameProvince(command, NATIONAL_PROVINCE);
  requireActorKind(command, ['officer', 'system'], 'change the provincial log registry');
  switch (command.type) {
    case 'RegisterProvincialLog': {
      requireProvinceCode(command.logProvince, false, 'logProvince');
      const event = parsed('ProvincialLogRegistered', {
        province: command.logProvince,
        origin: command.origin,
        verifierKey: command.verifierKey,
        baseUrl: command.baseUrl,
        registeredAt: now,
      });
      const existing = Object.hasOwn(state.logs, command.origin) ? state.logs[command.origin] : undefined;
      if (existing) {
        const same =
          existing.retiredAt === undefined &&
          existing.province === command.logProvince &&
          existing.verifierKey === command.verifierKey &&
          existing.baseUrl === command.baseUrl;
        if (same) return [];
        throw new ProvincialLogAlreadyRegisteredError('This origin is already registered', {});
      }
      if (activeLogOf(state, command.logProvince))
        throw new ProvinceHasActiveLogError('The province already has an active log', {
          province: command.logProvince,
        });
      requireLogKey(command.verifierKey, command.origin);
      return [event];
    }
    case 'RotateProvincialLogKey': {
      const log = requireActive(state, command.origin);
      const event = parsed('ProvincialLogKeyRotated', {
        province: log.province,
        origin: log.origin,
        verifierKey: command.verifierKey,
        rotatedAt: now,
      });
      requireLogKey(command.verifierKey, log.origin);
      if (command.verifierKey === log.verifierKey) return [];
      return [event];
    }
    case 'MoveProvincialLog': {
      const log = requireActive(state, command.origin);
      const event = parsed('ProvincialLogMoved', {
        province: log.province,
        origin: log.origin,
        baseUrl: command.baseUrl,
        previousBaseUrl: log.baseUrl,
        movedAt: now,
      });
      if (command.baseUrl === log.baseUrl) return [];
      return [event];
    }
    case 'RetireProvincialLog': {
      requireText(command.reason, 'reason');
      const log = requireActive(state, command.origin);
      return [
        parsed('ProvincialLogRetired', {
          province: log.province,
          origin: log.origin,
          reason: command.reason,
          retiredAt: now,
        }),
      ];
    }
    default:
      return assertNever(command, 'provincial log command');
  }
}

function evolve(state: ProvincialLogRegistry, event: ProvincialLogEvent): ProvincialLogRegistry {
  switch (event.type) {
    case 'ProvincialLogRegistered': {
      const d = event.data;
      if (Object.hasOwn(state.logs, d.origin)) return state;
      const log: ProvincialLog = {
        province: d.province,
        origin: d.origin,
        verifierKey: d.verifierKey,
        keyHistory: [d.verifierKey],
        baseUrl: d.baseUrl,
        registeredAt: d.registeredAt,
      };
      return { logs: { ...state.logs, [d.origin]: log } };
    }
    case 'ProvincialLogKeyRotated': {
      const log = Object.hasOwn(state.logs, event.data.origin) ? state.logs[event.data.origin] : undefined;
      if (!log) return state;
      const next = {
        ...log,
        verifierKey: event.data.verifierKey,
        keyHistory: [...log.keyHistory, event.data.verifierKey],
      };
      return { logs: { ...state.logs, [log.origin]: next } };
    }
    case 'ProvincialLogMoved': {
      const log = Object.hasOwn(state.logs, event.data.origin) ? state.logs[event.data.origin] : undefined;
      if (!log) return state;
      return { logs: { ...state.logs, [log.origin]: { ...log, baseUrl: event.data.baseUrl } } };
    }
    case 'ProvincialLogRetired': {
      const log = Object.hasOwn(state.logs, event.data.origin) ? state.logs[event.data.origin] : undefined;
      if (!log) return state;
      return { logs: { ...state.logs, [log.origin]: { ...log, retiredAt: event.data.retiredAt } } };
    }
    default:
      return assertNever(event, 'provincial log event');
  }
}

function initialState(): ProvincialLogRegistry {
  return { logs: {} };
}

export const provincialLogDecider: Decider<ProvincialLogCommand, ProvincialLogEvent, ProvincialLogRegistry> =
  {
    decide,
    evolve,
    initialState,
  };
