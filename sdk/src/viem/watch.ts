/**
 * Following one deal as it happens: `watchDeal` calls back with each of the deal's events
 * (created — directly or from a listing —, accepted, settled, refunded, cancelled, withdrawn, …), filtered by event name and
 * deal id, and returns viem's `unwatch`. Every deal event carries the deal id as its first indexed
 * topic, so the node filters by it; the names are filtered here.
 */
import type { Address, Log, WatchContractEventReturnType } from "viem";
import { watchContractEvent } from "viem/actions";
import { DEAL_PROOF_ABI } from "../abi.ts";
import { chainError } from "./chain-error.ts";
import type { DealProofClient } from "./client.ts";

/** The events of one deal (each has `dealId` as its first indexed argument). */
export const DEAL_EVENTS = [
  "DealCreated",
  "ListingDealCreated",
  "DealAccepted",
  "DealSettled",
  "DealRefunded",
  "DealCancelRequested",
  "DealCancelled",
  "Withdrawn",
] as const;
export type DealEventName = (typeof DEAL_EVENTS)[number];

export interface DealEvent {
  eventName: DealEventName;
  /** The event's arguments by name (uint as bigint, bytes as 0x-hex). */
  args: Record<string, unknown>;
  log: Log;
}

export interface WatchDealParameters {
  address: Address;
  dealId: bigint;
  /** Which events to report; default: all of DEAL_EVENTS. */
  events?: readonly DealEventName[];
  onEvent: (event: DealEvent) => void;
  /** A failed poll (as a DealProofError); polling goes on. */
  onError?: (error: Error) => void;
  /** Milliseconds between polls; default: the client's pollingInterval. */
  pollingInterval?: number;
  /** Also report the deal's events from this block on (default: only new ones). */
  fromBlock?: bigint;
}

/** Calls `onEvent` for each new event of one deal; returns the function that stops watching. */
export function watchDeal(client: DealProofClient, p: WatchDealParameters): WatchContractEventReturnType {
  const names = new Set<string>(p.events ?? DEAL_EVENTS);
  const abi = DEAL_PROOF_ABI.filter((e) => e.type === "event" && names.has(e.name));
  return watchContractEvent(client, {
    address: p.address,
    abi,
    ...(p.pollingInterval === undefined ? {} : { pollingInterval: p.pollingInterval }),
    ...(p.fromBlock === undefined ? {} : { fromBlock: p.fromBlock }),
    onError: (e) => p.onError?.(chainError(e)),
    onLogs: (logs) => {
      for (const log of logs) {
        const l = log as unknown as Log & { eventName?: string; args?: Record<string, unknown> };
        if (l.eventName === undefined || !names.has(l.eventName) || l.args?.dealId !== p.dealId) continue;
        p.onEvent({ eventName: l.eventName as DealEventName, args: l.args, log: l });
      }
    },
  });
}
