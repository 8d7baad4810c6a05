export * from './events.ts';
export * from './commands.ts';
export * from './state.ts';
export * from './errors.ts';
export * from './decider.ts';
export * from './staleness.ts';
