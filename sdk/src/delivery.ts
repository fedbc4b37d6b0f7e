/**
 * Key delivery (DESIGN.md §3 `delivery`): on agreement the oracle seals {key, location, chunkSize}
 * to the buyer's delivery key with HPKE, bound to chain, contract and deal; the buyer opens it
 * from the DealSettled event. Browser-safe; fetching and decrypting the dataset is the caller's.
 */
import { getAddress } from "ethers";
import { z } from "zod";
import { boundInfo, openJson, sealJson } from "./sealed-json.ts";
import { DatasetError } from "./dataset-error.ts";
import { formatDealId } from "./deal-id.ts";

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

function deliveryInfo(ctx: DeliveryContext): Uint8Array {
  return boundInfo(
    "DealProof/delivery/v1",
    ["uint256", "address", "uint256"],
    [ctx.chainId, getAddress(ctx.contract), ctx.dealId],
  );
}

export async function sealDelivery(
  buyerDeliveryPublicKey: Uint8Array,
  payload: DeliveryPayload,
  ctx: DeliveryContext,
): Promise<Uint8Array> {
  return sealJson(buyerDeliveryPublicKey, deliveryInfo(ctx), deliveryPayloadSchema.parse(payload));
}

/** Opens the `delivery` bytes of a DealSettled event with the buyer's delivery private key. */
export async function openDelivery(
  buyerPrivateKey: Uint8Array,
  ctx: DeliveryContext,
  delivery: Uint8Array,
): Promise<DeliveryPayload> {
  const opened = await openJson(buyerPrivateKey, deliveryInfo(ctx), delivery, deliveryPayloadSchema);
  if (opened.ok) return opened.value;
  if (opened.kind === "cannot_open")
    throw new DatasetError(
      "bad_delivery",
      `the delivery for deal ${formatDealId(ctx.dealId)} does not open with this key (another buyer key or deal?)`,
      {
        hint: "open it with the delivery private key saved when this deal was created (the one whose public key the buyer sealed)",
      },
    );
  throw new DatasetError("bad_delivery", "the delivery opened but its payload is malformed", {
    hint: "the oracle sealed an unreadable delivery: report the deal id to the oracle's operator",
  });
}
