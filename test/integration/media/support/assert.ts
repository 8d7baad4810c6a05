import { expect } from 'chai';

/** Awaits `promise`, expecting it to reject with an instance of `type`; returns the error. */
export async function expectRejects(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return error as Error;
  }
  expect.fail(`expected a ${type.name}`);
}
