/**
 * The production backend: dstack's guest agent through @phala/dstack-sdk's DstackClient
 * (unix socket /var/run/dstack.sock, or DSTACK_SIMULATOR_ENDPOINT / an explicit endpoint).
 */
import { DstackClient } from "@phala/dstack-sdk";
import { sha256 } from "@noble/hashes/sha2";
import { parseQuote } from "../quote/reader.ts";
import { measurementId } from "../../sdk/src/measurement.ts";
import { checkReportData, type TeeBackend, type TeeInfo, type TeeQuote } from "./backend.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ""), "hex"));

export class DstackBackend implements TeeBackend {
  readonly mode = "dstack" as const;
  readonly #client: DstackClient;

  constructor(endpoint?: string) {
    this.#client = new DstackClient(endpoint);
  }

  async getQuote(reportData: Uint8Array): Promise<TeeQuote> {
    const r = await this.#client.getQuote(Buffer.from(checkReportData(reportData)));
    return { quote: hex(r.quote), eventLog: r.event_log };
  }

  /**
   * `getKey(path)` is deterministic per app and path (dstack's KMS). Its key is hashed with a
   * DealProof label into 32 bytes so that every backend returns keys of one shape.
   */
  async deriveKey(path: string): Promise<Uint8Array> {
    const r = await this.#client.getKey(path, "dealproof");
    return sha256(Buffer.concat([Buffer.from("dealproof/dstack-key/v1:"), r.key]));
  }

  async info(): Promise<TeeInfo> {
    const i = await this.#client.info();
    // The measurement id comes from an actual quote, not from self-reported info fields.
    const { quote } = await this.getQuote(new Uint8Array(64));
    const q = parseQuote(quote);
    return {
      mode: "dstack",
      appId: i.app_id,
      composeHash: i.compose_hash ?? "",
      instanceId: i.instance_id,
      measurementId: measurementId(q.body),
    };
  }
}
