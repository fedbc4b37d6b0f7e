/**
 * Key delivery (DESIGN.md §3 `delivery`): on agreement the oracle seals {key, location, chunkSize}
 * to the buyer's delivery key with HPKE, bound to chain, contract and deal; the buyer opens it
 * from the DealSettled event. Browser-safe; fetching and decrypting the dataset is the caller's.
 */
import { AbiCoder, getAddress, getBytes, keccak256, toUtf8Bytes } from "ethers";
import { z } from "zod";
import { hpkeOpen, hpkeSeal } from "./hpke.ts";
import { DealProofError, type DealProofErrorOptions } from "./errors.ts";

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

/** Thrown when a delivery does not open with the key or its payload is malformed. */
export class DeliveryError extends DealProofError<"dataset.bad_delivery"> {
  override name = "DeliveryError";
  constructor(message: string, options?: DealProofErrorOptions) {
    super("dataset.bad_delivery", message, options);
  }
}

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

/** Opens the `delivery` bytes of a DealSettled event with the buyer's delivery private key. */
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
    throw new DeliveryError(
      `the delivery for deal ${ctx.dealId} does not open with this key (another buyer key or deal?)`,
      { hint: "use the delivery key file that deal:create saved for this deal (--delivery-key-out)" },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    json = undefined;
  }
  const parsed = deliveryPayloadSchema.safeParse(json);
  if (!parsed.success)
    throw new DeliveryError("the delivery opened but its payload is malformed", {
      hint: "the oracle sealed an unreadable delivery: report the deal id to the oracle's operator",
    });
  return parsed.data;
}
