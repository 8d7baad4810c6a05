/**
 * A tiny decider for exercising the generic handler: a named counter. `Open` is idempotent for the same name
 * (it returns [] once open, like ingest of the same detection), `Add` is not.
 */
import type { CommandBase, Decider } from '../../../../src/domain/decider.ts';
import { DomainRuleError, assertNever } from '../../../../src/domain/shared/errors.ts';

export type CounterCommand =
  | (CommandBase & { type: 'Open'; name: string })
  | (CommandBase & { type: 'Add'; amount: number; times?: number });

export type CounterEvent = { type: 'Opened'; data: { name: string } } | { type: 'Added'; data: { amount: number } };

export type CounterState = { status: 'closed' } | { status: 'open'; name: string; total: number; adds: number };

export class CounterNotOpenError extends DomainRuleError {
  readonly code = 'counter-not-open';
}
export class CounterNameTakenError extends DomainRuleError {
  override readonly category = 'conflict' as const;
  readonly code = 'counter-name-taken';
}

export function counterDecider(calls = { decide: 0 }): Decider<CounterCommand, CounterEvent, CounterState> {
  return {
    initialState: () => ({ status: 'closed' }),
    decide(command, state) {
      calls.decide++;
      switch (command.type) {
        case 'Open':
          if (state.status === 'open') {
            if (state.name === command.name) return [];
            throw new CounterNameTakenError(`Counter already open as ${state.name}`);
          }
          return [{ type: 'Opened', data: { name: command.name } }];
        case 'Add':
          if (state.status !== 'open') throw new CounterNotOpenError('Counter is not open');
          return Array.from({ length: command.times ?? 1 }, () => ({
            type: 'Added' as const,
            data: { amount: command.amount },
          }));
        default:
          return assertNever(command, 'command');
      }
    },
    evolve(state, event) {
      switch (event.type) {
        case 'Opened':
          return { status: 'open', name: event.data.name, total: 0, adds: 0 };
        case 'Added':
          return state.status === 'open'
            ? { ...state, total: state.total + event.data.amount, adds: state.adds + 1 }
            : state;
        default:
          return assertNever(event, 'event');
      }
    },
  };
}
