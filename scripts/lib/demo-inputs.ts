/**
 * The demo's private inputs as plain objects (scripts/demo.ts, default scenario): the seller's
 * with its dataset locator and key, floor, description and DKIM-signed `.eml`; the buyer's with
 * its budget, requirements, delivery key and data checks — so `bench:gas` seals what a real deal
 * carries, not a 200-byte stand-in.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify } from "ethers";
import type { BuyerInput, SellerInput } from "../../sdk/src/inputs.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { scenarioByName, units } from "./scenarios.ts";
import { prepareDataset, sellerEmailKit } from "./seller-kit.ts";
import { scenarioChecks } from "./demo-checks.ts";

/** The demo's row count (scripts/demo.ts): its checks ask for half of them. */
const ROWS = 4000;

export interface DemoInputs {
  seller: SellerInput;
  buyer: BuyerInput;
}

/** The inputs the demo's `scenario` seals, with a fresh dataset key and DKIM key. */
export async function demoInputs(scenario = "vision"): Promise<DemoInputs> {
  const s = scenarioByName(scenario);
  const dir = mkdtempSync(join(tmpdir(), "demo-inputs-"));
  try {
    const dataset = await prepareDataset(dir, s, { rows: ROWS });
    const email = sellerEmailKit("acme-data.test");
    const eml = await email.sign(`sales@${email.domain}`, `${s.title}: offer`, s.sellerDescription);
    const delivery = await generateX25519KeyPair();
    return {
      seller: {
        v: 1,
        floorWei: units(s.floorUnits).toString(),
        description: s.sellerDescription,
        dataset: { location: dataset.location, key: dataset.key, chunkSize: dataset.chunkSize },
        email: eml,
      },
      buyer: {
        v: 1,
        budgetWei: units(s.budgetUnits).toString(),
        requirements: s.buyerRequirements,
        deliveryPublicKey: hexlify(delivery.publicKey),
        checks: scenarioChecks(s, ROWS / 2),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
