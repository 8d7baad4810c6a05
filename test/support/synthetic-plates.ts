// The generator lives in src/demo (the demo renders its evidence with it); tests import it from here.
export * from '../../src/demo/synthetic-plates.ts';
