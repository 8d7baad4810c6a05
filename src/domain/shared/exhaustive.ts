/**
 * Compile-time exhaustiveness for code that handles a union of types by name (case events, case commands).
 * Beside `assertNever` (errors.ts) for switches, two helpers make adding a type fail compilation at every
 * place that must decide about it:
 *
 * - a handling table `{ …one entry per type… } as const satisfies Record<CaseEventType, Handling>`: each
 *   consumer states per type whether it handles or ignores it (an explicit "ignore" is a decision too), and
 *   `isHandled` narrows an event to the handled ones, so a `switch` over them ends in `assertNever`;
 * - `everyOf<T>()([...])`: a runtime list that must name every member of the union `T`.
 */

export type Handling = 'handled' | 'ignored';

/** The types a handling table marks `handled`. */
export type HandledIn<Table> = { [K in keyof Table]: Table[K] extends 'handled' ? K : never }[keyof Table] & string;

/** The handled types of a table, in the table's order (e.g. a projection's `eventTypes`). */
export function handledTypes<Table extends Readonly<Record<string, Handling>>>(table: Table): HandledIn<Table>[] {
  return Object.keys(table).filter((type) => table[type] === 'handled') as HandledIn<Table>[];
}

/** Whether the table handles the event's type; narrows the event to the handled types. */
export function isHandled<Event extends { type: string }, Table extends Readonly<Record<Event['type'], Handling>>>(
  table: Table,
  event: Event,
): event is Extract<Event, { type: HandledIn<Table> }> {
  return Object.hasOwn(table, event.type) && (table as Readonly<Record<string, Handling>>)[event.type] === 'handled';
}

/**
 * A list that names every member of the string union `T`: `everyOf<CaseCommandType>()([...] as const)`
 * compiles only when no member is missing (and none is foreign).
 */
export function everyOf<T extends string>() {
  return <const List extends readonly T[]>(list: List & ([T] extends [List[number]] ? unknown : never)): List => list;
}
