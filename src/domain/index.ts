/** The pure domain: deciders, their events and commands, views passed between aggregates, signed payloads. */
export * from './decider.ts';
export * from './ids.ts';
export * from './signoff/index.ts';
export * from './camera/index.ts';
export * from './officer/index.ts';
export * from './model/index.ts';
export * from './case/index.ts';
