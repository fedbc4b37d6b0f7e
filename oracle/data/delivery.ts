/**
 * Key delivery (DESIGN.md §3 `delivery`): on agreement the oracle seals {key, location, chunkSize}
 * to the buyer's delivery key with HPKE, bound to chain, contract and deal; the buyer opens it from
 * the DealSettled event, fetches, decrypts and checks every chunk against dataRoot.
 */
import { createWriteStream, renameSync, rmSync } from "node:fs";
import { finished } from "node:stream/promises";
import { AbiCoder, getAddress, getBytes, keccak256, toUtf8Bytes } from "ethers";
import { z } from "zod";
import { hpkeOpen, hpkeSeal } from "../sealed/hpke.ts";
import { DatasetError } from "./errors.ts";
import { fetchAndVerifyDataset, type Progress } from "./dataset.ts";
import type { SourceOptions } from "./source.ts";

export interface DeliveryContext {
  chainId: bigint;
  contract: string;
  dealId: bigint;
}

export const deliveryPayloadSchema = z.strictObject({
  v: z.literal(1),
  key: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  location: z.string().regex(/^(file|https?):\/\//),
  chunkSize: z.number().int().positive(),
});
export type DeliveryPayload = z.infer<typeof deliveryPayloadSchema>;

export function deliveryInfo(ctx: DeliveryContext): Uint8Array {
  return getBytes(
    AbiCoder.defaultAbiCoder().encode(
      ["bytes32", "uint256", "address", "uint256"],
      [keccak256(toUtf8Bytes("DealProof/delivery/v1")), ctx.chainId, getAddress(ctx.contract), ctx.dealId],
    ),
  );
}

export async function sealDelivery(
  buyerDeliveryPublicKey: Uint8Array,
  payload: DeliveryPayload,
  ctx: DeliveryContext,
): Promise<Uint8Array> {
  const info = deliveryInfo(ctx);
  return hpkeSeal(
    buyerDeliveryPublicKey,
    info,
    info,
    toUtf8Bytes(JSON.stringify(deliveryPayloadSchema.parse(payload))),
  );
}

export async function openDelivery(
  buyerPrivateKey: Uint8Array,
  ctx: DeliveryContext,
  delivery: Uint8Array,
): Promise<DeliveryPayload> {
  const info = deliveryInfo(ctx);
  let plain: Uint8Array;
  try {
    plain = await hpkeOpen(buyerPrivateKey, info, info, delivery);
  } catch {
    throw new DatasetError(
      "bad_delivery",
      `the delivery for deal ${ctx.dealId} does not open with this key (another buyer key or deal?)`,
    );
  }
  const parsed = deliveryPayloadSchema.safeParse(JSON.parse(new TextDecoder().decode(plain)));
  if (!parsed.success)
    throw new DatasetError("bad_delivery", "the delivery opened but its payload is malformed");
  return parsed.data;
}

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
