export * from './types.ts';
export * from './errors.ts';
export * from './build.ts';
export * from './vietqr.ts';
export * from './vnd-words.ts';
