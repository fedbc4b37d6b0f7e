/**
 * The buyer opens its key delivery (DESIGN.md §3 `delivery`) with viem and @hpke only, for the
 * viem entry: the `delivery` bytes of the DealSettled event, HPKE-opened with the buyer's delivery
 * private key under the deal's context (the same "DealProof/delivery/v1" binding as delivery.ts),
 * then the payload {v, key, location, chunkSize} checked by hand before any field is used.
 */
import { encodeAbiParameters, keccak256, stringToBytes, toBytes, type Address } from "viem";
import { DatasetError } from "../dataset-error.ts";
import { formatDealId } from "../deal-id.ts";
import { hpkeOpen } from "../hpke.ts";
import { HEX32_PATTERN, LOCATION_PATTERN } from "../input-rules.ts";

export interface DeliveryContext {
  chainId: bigint | number;
  contract: Address;
  dealId: bigint;
}

export interface DeliveryPayload {
  v: 1;
  /** The dataset key (32 bytes, 0x-hex). */
  key: string;
  /** Where the encrypted dataset is (file://, http:// or https://). */
  location: string;
  chunkSize: number;
}

function deliveryInfo(ctx: DeliveryContext): Uint8Array {
  return toBytes(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint256" }, { type: "address" }, { type: "uint256" }],
      [keccak256(stringToBytes("DealProof/delivery/v1")), BigInt(ctx.chainId), ctx.contract, ctx.dealId],
    ),
  );
}

function isPayload(x: unknown): x is DeliveryPayload {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    Object.keys(o).every((k) => ["v", "key", "location", "chunkSize"].includes(k)) &&
    o.v === 1 &&
    typeof o.key === "string" &&
    HEX32_PATTERN.test(o.key) &&
    typeof o.location === "string" &&
    LOCATION_PATTERN.test(o.location) &&
    typeof o.chunkSize === "number" &&
    Number.isInteger(o.chunkSize) &&
    o.chunkSize > 0
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
    throw new DatasetError(
      "bad_delivery",
      `the delivery for deal ${formatDealId(ctx.dealId)} does not open with this key (another buyer key or deal?)`,
      {
        hint: "open it with the delivery private key saved when this deal was created (the one whose public key the buyer sealed)",
      },
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plain));
  } catch {
    payload = undefined;
  }
  if (!isPayload(payload))
    throw new DatasetError("bad_delivery", "the delivery opened but its payload is malformed", {
      hint: "the oracle sealed an unreadable delivery: report the deal id to the oracle's operator",
    });
  return payload;
}
