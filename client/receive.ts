/**
 * The buyer receiving a settled deal's dataset: reads the deal's DealCreated and DealSettled events,
 * opens the sealed delivery with the buyer's key, then fetches, decrypts and verifies the dataset
 * against the committed root (oracle/data/dataset.ts's streaming check) into a temporary file renamed
 * to `outPath` only when the root matches. Part of the
 * parties' client (client/, see files.ts for why it is a folder of its own): the buyer runs it
 * (deal:receive, the demo), the oracle never does.
 */
import { createWriteStream, renameSync, rmSync } from "node:fs";
import { finished } from "node:stream/promises";
import { getBytes, type Provider } from "ethers";
import { openDelivery, type DeliveryPayload } from "../sdk/src/delivery.ts";
import { fetchAndVerifyDataset, type Progress } from "../oracle/data/dataset.ts";
import type { SourceOptions } from "../oracle/data/source.ts";
import { DatasetError } from "../sdk/src/dataset-error.ts";
import type { Deployment } from "../oracle/chain/deployment.ts";
import { readDealCreated, readDealSettled } from "../oracle/chain/deal-events.ts";
import { connectDealProof } from "../oracle/chain/dealproof.ts";
import { formatDealId } from "../sdk/src/deal-id.ts";

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

/** Buyer: opens `delivery` from the deal's DealSettled event, fetches, decrypts, verifies, writes. */
export async function receiveDeal(
  provider: Provider,
  deployment: Deployment,
  dealId: bigint,
  buyerPrivateKey: Uint8Array,
  outPath: string,
) {
  const dp = connectDealProof(deployment.dealProof, provider);
  const deal = await readDealCreated(dp, dealId, deployment.deployBlock);
  if (deal === null)
    throw new DatasetError(
      "bad_delivery",
      `deal ${formatDealId(dealId)} does not exist on ${deployment.network}`,
    );
  const settled = await readDealSettled(dp, dealId, deployment.deployBlock);
  if (settled === null)
    throw new DatasetError("bad_delivery", `deal ${formatDealId(dealId)} has not been settled yet`);
  if (!settled.agreed)
    throw new DatasetError(
      "bad_delivery",
      `deal ${formatDealId(dealId)} settled without agreement: there is nothing to receive`,
    );
  const ctx = { chainId: BigInt(deployment.chainId), contract: deployment.dealProof, dealId };
  const payload = await openDelivery(buyerPrivateKey, ctx, getBytes(settled.delivery));
  const result = await receiveDataset({ payload, dataRoot: deal.dataRoot, outPath });
  return { ...result, dataRoot: deal.dataRoot, outPath };
}
