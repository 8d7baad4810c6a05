export * from './primitives.ts';
export * from './payloads.ts';
export * from './keys.ts';
export * from './builders.ts';
export * from './keys-in-force.ts';
export * from './guards.ts';
export * from './errors.ts';
export * from './signing.ts';
