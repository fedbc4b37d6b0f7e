/**
 * Key delivery (DESIGN.md §3 `delivery`): on agreement the oracle seals {key, location, chunkSize}
 * to the buyer's delivery key with HPKE, bound to chain, contract and deal; the buyer opens it from
 * the DealSettled event, fetches, decrypts and checks every chunk against dataRoot. Sealing and
 * opening are the SDK's (sdk/src/delivery.ts, browser-safe); fetching into a file is here.
 */
import { createWriteStream, renameSync, rmSync } from "node:fs";
import { finished } from "node:stream/promises";
import { fetchAndVerifyDataset, type Progress } from "./dataset.ts";
import type { SourceOptions } from "./source.ts";
import type { DeliveryPayload } from "../../sdk/src/delivery.ts";

export { openDelivery, sealDelivery } from "../../sdk/src/delivery.ts";

/**
 * Fetches and decrypts the dataset, checking the Merkle root over every plaintext chunk against
 * dataRoot; writes to a temporary file renamed to `outPath` only when the root matches.
 */
export async function receiveDataset(
  args: { payload: DeliveryPayload; dataRoot: string; outPath: string },
  opts: SourceOptions & { onProgress?: Progress } = {},
) {
  const tmp = `${args.outPath}.partial`;
  const out = createWriteStream(tmp);
  try {
    const result = await fetchAndVerifyDataset(args.payload, args.dataRoot, {
      ...opts,
      sink: (plain) =>
        new Promise<void>((resolve, reject) => {
          out.write(plain, (e) => (e ? reject(e) : resolve()));
        }),
    });
    out.end();
    await finished(out);
    renameSync(tmp, args.outPath);
    return result;
  } catch (e) {
    out.destroy();
    rmSync(tmp, { force: true });
    throw e;
  }
}
