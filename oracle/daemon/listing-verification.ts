/**
 * The daemon's listing job (DESIGN.md §11): every listing version the store holds without a record
 * is offered to the fair verification queue (listings/queue.ts: bounded, round-robin per seller);
 * a job verifies the version once (listings/verify.ts), builds its public record at chain time,
 * signs it with the enclave signer and stores it — once (`saveRecord` fills an empty record only).
 * A job cut off by a stop or a crash stores nothing, so the version is verified again after the
 * restart and its record is still written exactly once. A fault that is no party's (a bug, the
 * disk) is logged and the version offered again on a later tick. Each start is logged with the
 * queue's counts (running, this seller's running, waiting) and each stored record with its hash,
 * so an operator (and test/daemon/listing-flood.test.ts) can see the fairness rule hold.
 */
import type { Logger } from "pino";
import { dealProofDomain } from "../../sdk/src/eip712.ts";
import type { OracleIdentity } from "../tee/identity.ts";
import type { ListingCache } from "../listings/cache.ts";
import { VerificationQueue, type StartCounts } from "../listings/queue.ts";
import { buildRecord, signRecord } from "../listings/record.ts";
import { verifyListing, type VerifyDeps } from "../listings/verify.ts";
import type { ListingRow } from "./listing-store.ts";
import type { Store } from "./store.ts";
import { failureCode } from "./reason-codes.ts";

/** How the daemon verifies listings (DaemonDeps.listings). */
export interface ListingOptions {
  cache: ListingCache;
  /** Verifications at once (default 2) and waiting per seller (default 4). */
  maxRunning?: number;
  perSellerCap?: number;
  /** Sellers with unverified versions read per tick (default 256; the store's query is bounded by it). */
  sellersPerTick?: number;
  /** Fetch tries per verification and the wait between them (verify.ts defaults). */
  attempts?: number;
  retryDelayMs?: number;
  /** Test hook: a version's record was stored. */
  onRecord?: (row: ListingRow) => void;
  /** Test hook: a verification starts (throwing simulates a crash there). */
  onVerify?: (row: ListingRow) => void | Promise<void>;
}

export interface ListingJobDeps {
  store: Store;
  logger: Logger;
  identity: OracleIdentity;
  chainId: bigint;
  contract: string;
  /** Chain time now (seconds): the record's verifiedAt. */
  now: () => number;
  verify: Omit<VerifyDeps, "chainId" | "contract" | "keyring" | "cache" | "attempts" | "retryDelayMs">;
  signal: AbortSignal;
  running: () => boolean;
}

export class ListingVerifier {
  readonly queue: VerificationQueue;
  readonly #d: ListingJobDeps;
  readonly #o: ListingOptions;
  /** A seller's versions the queue can know at once: its waiting cap plus every running slot. */
  readonly #perSeller: number;
  /** Where the next tick's batch of sellers starts (address order; "" from the first). */
  #after = "";

  constructor(d: ListingJobDeps, o: ListingOptions) {
    this.#d = d;
    this.#o = o;
    const maxRunning = o.maxRunning ?? 2;
    const perSellerCap = o.perSellerCap ?? 4;
    this.queue = new VerificationQueue({ maxRunning, perSellerCap });
    this.#perSeller = perSellerCap + maxRunning;
  }

  /**
   * Offers each seller's oldest unverified versions to the queue: as many as it can hold for a
   * seller (running and waiting), for up to `sellersPerTick` sellers, so the store's query is
   * bounded by the queue, not by the table; when a batch is full the next tick goes on after its
   * last seller (then wraps), so with more sellers than a batch every one still comes round.
   */
  dispatch(): void {
    if (!this.#d.running()) return;
    const batch = this.#o.sellersPerTick ?? 256;
    const rows = this.#d.store.listings.unverified({
      perSeller: this.#perSeller,
      sellers: batch,
      after: this.#after,
    });
    const sellers = [...new Set(rows.map((r) => r.seller))].sort();
    this.#after = sellers.length >= batch ? sellers.at(-1)! : "";
    for (const row of rows)
      this.queue.offer(`${row.listing_id}:${row.version}`, row.seller, (at) => this.#verify(row, at));
  }

  async #verify(row: ListingRow, at: StartCounts): Promise<void> {
    const d = this.#d;
    const log = d.logger.child({
      listingId: `0x${row.listing_id.toString(16)}`,
      version: row.version,
      seller: row.seller,
    });
    // the queue's counts as it started this job: what the fairness rule allowed (issue 25)
    log.info(at, "listing verification started");
    try {
      await this.#o.onVerify?.(row);
      const found = await verifyListing(
        {
          listingId: row.listing_id,
          version: row.version,
          seller: row.seller,
          dataRoot: row.data_root,
          chunkSize: row.terms.chunkSize,
          chunkCount: row.terms.chunkCount,
          byteSize: row.terms.byteSize,
          sealedSellerInput: row.sealed_seller,
        },
        {
          ...d.verify,
          chainId: d.chainId,
          contract: d.contract,
          keyring: d.identity.keyring,
          cache: this.#o.cache,
          ...(this.#o.attempts === undefined ? {} : { attempts: this.#o.attempts }),
          ...(this.#o.retryDelayMs === undefined ? {} : { retryDelayMs: this.#o.retryDelayMs }),
          fetch: { ...d.verify.fetch, signal: d.signal },
        },
      );
      if (!d.running()) return; // stopping: verified again after the restart
      const record = buildRecord(
        { listingId: row.listing_id, version: row.version, seller: row.seller, dataRoot: row.data_root },
        found,
        d.now(),
      );
      const signed = signRecord(record, dealProofDomain(d.chainId, d.contract), d.identity);
      if (d.store.listings.saveRecord(row.listing_id, row.version, signed)) {
        log.info(
          { verdict: record.verdict, code: record.code, recordHash: signed.recordHash },
          "listing verified",
        );
        this.#o.onRecord?.(row);
      }
    } catch (e) {
      if (d.running()) log.warn({ code: failureCode(e) }, "listing verification failed; it is tried again");
    }
  }
}
