// The synthetic plate and scene generator lives with the plate-recognition tests; the demo reuses it.
export * from '../../test/support/synthetic-plates.ts';
