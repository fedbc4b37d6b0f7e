/**
 * dstack event logs and RTMR3 replay. RTMR3 holds the application's identity (app-id,
 * compose-hash, instance-id, …). Each event's digest is recomputed from its payload as
 * sha384(u32le(event_type) ‖ ":" ‖ event ‖ ":" ‖ payload) — the log's own `digest` field is
 * never trusted — and RTMR3 = fold(sha384(rtmr ‖ digest)) from 48 zero bytes.
 */
import { z } from "zod";
import { sha384 } from "@noble/hashes/sha2";
import { DealProofError } from "../../sdk/src/errors.ts";

const hexNo0x = z.string().regex(/^([0-9a-fA-F]{2})*$/, "must be hex without 0x");

const eventSchema = z.object({
  imr: z.number().int().min(0).max(3),
  event_type: z.number().int().nonnegative(),
  digest: z.string(),
  event: z.string(),
  event_payload: hexNo0x,
});
export type DstackEvent = z.infer<typeof eventSchema>;

/** The event type dstack uses for its runtime (IMR 3) events. */
export const DSTACK_EVENT_TYPE = 0x08000001;

export function parseEventLog(json: string): DstackEvent[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new DealProofError("quote.bad_event_log", "the event log is not JSON", {
      hint: "pass the event_log the dstack guest agent returned with the quote",
    });
  }
  const parsed = z.array(eventSchema).safeParse(raw);
  if (!parsed.success)
    throw new DealProofError(
      "quote.bad_event_log",
      `the event log is malformed: ${z.prettifyError(parsed.error)}`,
      {
        hint: "pass the event_log the dstack guest agent returned with the quote",
      },
    );
  return parsed.data;
}

export function runtimeEventDigest(
  e: Pick<DstackEvent, "event_type" | "event" | "event_payload">,
): Uint8Array {
  const type = new Uint8Array(4);
  new DataView(type.buffer).setUint32(0, e.event_type, true);
  const enc = new TextEncoder();
  return sha384(
    Buffer.concat([
      type,
      enc.encode(":"),
      enc.encode(e.event),
      enc.encode(":"),
      Buffer.from(e.event_payload, "hex"),
    ]),
  );
}

function extendRtmr(rtmr: Uint8Array, digest: Uint8Array): Uint8Array {
  return sha384(Buffer.concat([rtmr, digest]));
}

export interface Rtmr3Replay {
  rtMr3: Uint8Array;
  appId?: string;
  composeHash?: string;
  instanceId?: string;
  events: { event: string; payload: string }[];
}

/** Replays RTMR3 from the IMR-3 events and extracts the app identity they carry. */
export function replayRtmr3(events: readonly DstackEvent[]): Rtmr3Replay {
  let rtmr: Uint8Array = new Uint8Array(48);
  const out: Rtmr3Replay = { rtMr3: rtmr, events: [] };
  for (const e of events) {
    if (e.imr !== 3) continue;
    rtmr = extendRtmr(rtmr, runtimeEventDigest(e));
    out.events.push({ event: e.event, payload: e.event_payload });
    if (e.event === "app-id") out.appId = e.event_payload;
    if (e.event === "compose-hash") out.composeHash = e.event_payload;
    if (e.event === "instance-id") out.instanceId = e.event_payload;
  }
  out.rtMr3 = rtmr;
  return out;
}

/** Builds an IMR-3 event the way dstack records one (digest computed from the payload). */
export function runtimeEvent(event: string, payloadHex: string): DstackEvent {
  const e = { imr: 3, event_type: DSTACK_EVENT_TYPE, event, event_payload: payloadHex, digest: "" };
  e.digest = Buffer.from(runtimeEventDigest(e)).toString("hex");
  return e;
}
