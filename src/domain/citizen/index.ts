export * from './commands.ts';
export * from './decider.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './payment.ts';
export * from './state.ts';
export * from './view.ts';
export * from './report.ts';
