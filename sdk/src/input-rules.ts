/**
 * The rules of the parties' input fields (DESIGN.md §6) as plain patterns and words, with no
 * validation library: the zod schemas of inputs.ts (the `dealproof` entry, and the oracle) and the
 * hand-written checks of the viem entry (viem/input-checks.ts) are both built from these, so the
 * two cannot drift apart on what a valid field is.
 */
import { MAX_EMAIL_BYTES, MAX_TEXT } from "./limits.ts";

/** A whole number of wei in decimal digits (at most 78: a uint256). */
export const WEI_PATTERN = /^(0|[1-9][0-9]{0,77})$/;
export const WEI_RULE = "must be a whole number of wei written in decimal digits";

export const HEX32_PATTERN = /^0x[0-9a-fA-F]{64}$/;
export const HEX32_RULE = "must be 32 bytes of 0x-prefixed hex";

export const TEXT_EMPTY_RULE = "must not be empty";
export const TEXT_LONG_RULE = `must be at most ${MAX_TEXT} characters`;

/** A DNS name (the seller's DKIM-verified domain must equal it or be a subdomain of it). */
export const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const DOMAIN_RULE = "must be a lower-case domain name such as example.com";

export const LOCATION_PATTERN = /^(file|https?):\/\//;
export const LOCATION_RULE = "must be a file://, http:// or https:// URL";
export const MAX_LOCATION = 2048;

export const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
export const BASE64_RULE = "must be base64";
export const MAX_EMAIL_BASE64 = Math.ceil(MAX_EMAIL_BYTES / 3) * 4;
export const EMAIL_LONG_RULE = `must decode to at most ${MAX_EMAIL_BYTES} bytes`;

/** The access scopes a per-scope budget or floor may name (issue 24). */
export const ACCESS_SCOPES = ["full", "research-only", "non-commercial", "evaluation"] as const;

/** The dataset formats the oracle's check engine reads. */
export const DATASET_FORMATS = ["csv", "jsonl", "parquet"] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Most checks one specification may hold (the seller's policy may allow fewer). */
export const MAX_CHECKS = 64;
