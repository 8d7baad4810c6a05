/**
 * Given/when/then for deciders:
 *
 *   spec(caseDecider).given([detected]).when(confirm).then([reviewConfirmed]);
 *   spec(caseDecider).given([]).when(decidePenalty).thenThrows(ReviewRequiredError);
 *   spec(caseDecider).given([detected]).when(recordSameDetection).thenNothing();
 *
 * Every variant also folds the given history and the produced events through `evolve`, so a decider whose
 * `evolve` throws, or whose events fail the aggregate's schemas (when `parse` is given), fails the spec.
 */
import { expect } from 'chai';
import type { Decider } from '../../src/domain/decider.ts';

type ErrorClass = abstract new (...args: never[]) => Error;

export interface SpecOptions<Event> {
  /** Parses (and so validates) an event; throws on a payload its schema refuses. */
  parse?: (event: Event) => unknown;
}

export interface Then<Event, State> {
  /** The decider returns exactly these events (deep equality, in order). Returns the state after them. */
  then(expected: Event[]): State;
  /** The decider returns events that satisfy `check`. Returns them with the state after them. */
  thenEvents(check: (events: Event[]) => void): { events: Event[]; state: State };
  /** The decider throws an instance of `errorClass`. Returns the error for further checks. */
  thenThrows<E extends ErrorClass>(errorClass: E): InstanceType<E>;
  /** The decider returns no events (an idempotent repeat). */
  thenNothing(): void;
}

export function spec<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  options: SpecOptions<Event> = {},
) {
  const fold = (state: State, events: Event[]): State => {
    let s = state;
    for (const e of events) {
      options.parse?.(e);
      s = decider.evolve(s, e);
    }
    return s;
  };
  return {
    given(history: Event[]) {
      const state = fold(decider.initialState(), history);
      return {
        /** The state after the given events (for assertions on `evolve`). */
        state,
        when(command: Command): Then<Event, State> {
          const run = (): Event[] => decider.decide(command, state);
          return {
            then(expected) {
              const events = run();
              expect(events).to.deep.equal(expected);
              return fold(state, events);
            },
            thenEvents(check) {
              const events = run();
              check(events);
              return { events, state: fold(state, events) };
            },
            thenThrows(errorClass) {
              let caught: unknown;
              try {
                const events = run();
                expect.fail(
                  `expected ${errorClass.name}, got events ${JSON.stringify(events.map((e) => (e as { type?: string }).type))}`,
                );
              } catch (error) {
                caught = error;
              }
              if (!(caught instanceof errorClass)) {
                throw new Error(
                  `expected ${errorClass.name}, got ${(caught as Error)?.constructor?.name}: ${(caught as Error)?.message}`,
                  { cause: caught },
                );
              }
              return caught as InstanceType<typeof errorClass>;
            },
            thenNothing() {
              expect(run()).to.deep.equal([]);
            },
          };
        },
      };
    },
  };
}
