import { expect } from "chai";

/** Awaits `p`, expects it to reject with a message matching `re`, and returns the error. */
export async function rejects(p: Promise<unknown>, re: RegExp): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).message).to.match(re);
    return e as Error;
  }
  expect.fail(`expected a rejection matching ${re}, but the promise resolved`);
}
