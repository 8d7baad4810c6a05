/** The pure domain: deciders, their events and commands, views passed between aggregates, signed payloads. */
export * from './decider.ts';
export * from './ids.ts';
export * from './signoff/index.ts';
export * from './camera/index.ts';
export * from './officer/index.ts';
export * from './model/index.ts';
export * from './case/index.ts';
// Owned elsewhere; namespaced because some names (e.g. the catalog's `Offender` kind) differ from ours.
export * as catalog from './catalog/index.ts';
export * as plates from './plates/index.ts';
export * as provinces from './provinces/index.ts';
// The provincial log registry (national); namespaced beside the other national records.
export * as federation from './federation/index.ts';
