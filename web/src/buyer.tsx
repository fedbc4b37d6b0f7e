/**
 * Buyer: create a direct deal with a named seller and dataset root, the buyer's input sealed in
 * this browser, in two steps (buy-flow.tsx): "Create deal" checks the oracle (up, this
 * deployment, the registered one), generates the delivery key pair and seals the input; the
 * private key is offered as a download, and only once it is saved does "Escrow … and create the
 * deal" move any ETH. The key is never sent anywhere. The buyer's checks on the data
 * (checks-editor.tsx) are validated with the SDK's schema before anything is sent.
 */
import type { FormEvent } from "react";
import { getAddress } from "ethers";
import type { Connection } from "./wallet.ts";
import type { ChainConfig } from "./config.ts";
import { createDeal } from "./deals.ts";
import { badInput } from "./bad-input.ts";
import { ErrorLine } from "./components.tsx";
import { ChecksEditor } from "./checks-editor.tsx";
import { BuyerFields, KeyThenEscrow, useBuyFlow } from "./buy-flow.tsx";

export function BuyerPage({ conn, chain }: { conn: Connection; chain: ChainConfig }) {
  const flow = useBuyFlow(conn);

  const submit = async (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    flow.setError(null);
    const f = new FormData(ev.currentTarget);
    let seller: string;
    let dataRoot: string;
    let terms: Awaited<ReturnType<typeof flow.readTerms>>;
    try {
      try {
        seller = getAddress(String(f.get("seller") ?? "").trim());
      } catch {
        throw badInput("the seller must be an Ethereum address", "0x and 40 hex digits");
      }
      dataRoot = String(f.get("dataRoot") ?? "").trim();
      if (!/^0x[0-9a-fA-F]{64}$/.test(dataRoot))
        throw badInput("the dataset root must be 32 bytes of hex", "0x and 64 hex digits, from the seller");
      terms = await flow.readTerms(f);
    } catch (e) {
      return flow.fail(e);
    }
    await flow.prepare(async () => {
      const d = await createDeal(conn.provider, chain, conn.address, { ...terms, seller, dataRoot });
      return { ...d, escrowWei: terms.escrowWei };
    });
  };

  return (
    <section aria-labelledby="buy-h">
      <h2 id="buy-h">Buy a dataset</h2>
      <p>
        A private one-off deal with a seller you know. To buy a published dataset, pick it on the{" "}
        <a href="#/listings">Listings</a> page.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Seller address
          <input name="seller" required autoComplete="off" />
        </label>
        <label>
          Dataset root (dataRoot)
          <input name="dataRoot" required autoComplete="off" />
        </label>
        <BuyerFields />
        <ChecksEditor value={flow.checks} onChange={flow.editChecks} problems={flow.problems} />
        <button type="submit" disabled={flow.busy}>
          Create deal
        </button>
      </form>
      <KeyThenEscrow flow={flow} />
      <ErrorLine error={flow.error} />
    </section>
  );
}
