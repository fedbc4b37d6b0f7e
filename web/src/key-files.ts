/**
 * The key files the dapp hands its user and later reads back: the seller's dataset key file and
 * the buyer's delivery key file. A file read back is checked with zod before any field is used;
 * anything else (not JSON, another file, a damaged one) is one plain error naming what was expected.
 */
import { z } from "zod";
import { badInput } from "./bad-input.ts";

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);

const sellerKeyFileSchema = z.object({
  root: hex32,
  key: hex32,
  chunkSize: z.number().int().positive(),
  size: z.number().int().nonnegative(),
});
export type SellerKeyFile = z.infer<typeof sellerKeyFileSchema>;

// dealId: 0x-hex as the dapp writes it; decimal in files saved by earlier versions
const deliveryKeyFileSchema = z.object({
  dealId: z.string().regex(/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/),
  deliveryPrivateKey: hex32,
});

function read<T>(text: string, schema: z.ZodType<T>, refusal: string, hint: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badInput(refusal, hint);
  return parsed.data;
}

export const readSellerKeyFile = (text: string) =>
  read(
    text,
    sellerKeyFileSchema,
    "that file is not a DealProof seller key file",
    "load the key file this dapp saved when you committed the dataset",
  );

/** The delivery private key in a buyer's key file, which must be deal `dealId`'s. */
export function readDeliveryKeyFile(text: string, dealId: bigint): string {
  const refusal = "that key file is not this deal's delivery key";
  const hint = "load the delivery key file saved when this deal was created";
  const k = read(text, deliveryKeyFileSchema, refusal, hint);
  if (BigInt(k.dealId) !== dealId) throw badInput(refusal, hint);
  return k.deliveryPrivateKey;
}
