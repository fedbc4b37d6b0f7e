import { expect } from "chai";

/** Awaits `p`, expects it to reject with a message matching `re`, and returns the error. */
export async function rejects(p: Promise<unknown>, re: RegExp): Promise<Error> {
  let settled = false;
  try {
    await p;
    settled = true;
  } catch (e) {
    expect((e as Error).message).to.match(re);
    return e as Error;
  }
  expect(settled, `expected a rejection matching ${re}`).to.equal(false);
  throw new Error("unreachable");
}
