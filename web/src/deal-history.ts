/**
 * One deal's history from its DealProof events: who created it (directly or against a listing),
 * its escrow and deadline, its outcome, whether it was cancelled, who withdrew, and the hash of
 * each step's transaction (create, accept, settle, refund or cancel, each withdrawal). Pure: the
 * decoded logs in, oldest first; reads fields by name so it takes ethers' decoded Results as they
 * are, and is unit-tested under Node (test/web/deal-history.test.ts).
 */

/** A decoded DealProof event of one deal, with the transaction that emitted it. */
export interface HistoryLog {
  name: string;
  transactionHash: string;
  /** The event's arguments by name (ethers' Result carries them as properties). */
  args: object;
}

type TxStep = "create" | "accept" | "settle" | "refund" | "cancel" | "withdraw";

export interface DealTx {
  step: TxStep;
  hash: string;
  /** withdraw: who withdrew (lowercase). */
  by?: string;
}

export interface DealHistory {
  buyer?: string;
  /** Direct deals: the seller named at creation (a listing deal's seller is the listing's). */
  seller?: string;
  dataRoot?: string;
  escrow: bigint;
  deadline: number;
  /** A deal created against a listing. */
  listingId?: bigint;
  settled?: { agreed: boolean; price: bigint };
  cancelled: boolean;
  /** Who withdrew (lowercase addresses). */
  withdrawnBy: string[];
  txs: DealTx[];
}

const big = (v: unknown): bigint => (typeof v === "bigint" ? v : BigInt(String(v ?? 0)));
const str = (v: unknown): string => String(v ?? "");

export function dealHistory(logs: readonly HistoryLog[]): DealHistory {
  const h: DealHistory = { escrow: 0n, deadline: 0, cancelled: false, withdrawnBy: [], txs: [] };
  for (const l of logs) {
    const a = l.args as { readonly [field: string]: unknown };
    const tx = (step: TxStep, by?: string) =>
      h.txs.push({ step, hash: l.transactionHash, ...(by === undefined ? {} : { by }) });
    switch (l.name) {
      case "DealCreated":
      case "ListingDealCreated":
        // a listing deal names its listing; its seller and root are the listing's
        if (l.name === "DealCreated") {
          h.seller = str(a.seller);
          h.dataRoot = str(a.dataRoot);
        } else h.listingId = big(a.listingId);
        h.buyer = str(a.buyer);
        h.escrow = big(a.escrow);
        h.deadline = Number(big(a.deadline));
        tx("create");
        break;
      case "DealAccepted":
        tx("accept");
        break;
      case "DealSettled":
        h.settled = { agreed: a.agreed === true, price: big(a.price) };
        tx("settle");
        break;
      case "DealRefunded":
        tx("refund");
        break;
      case "DealCancelled":
        h.cancelled = true;
        tx("cancel");
        break;
      case "Withdrawn": {
        const by = str(a.account).toLowerCase();
        h.withdrawnBy.push(by);
        tx("withdraw", by);
        break;
      }
      default:
        break;
    }
  }
  return h;
}
