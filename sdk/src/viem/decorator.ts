/**
 * `client.extend(dealProofActions({ address }))`: DealProof's viem actions as methods of a client,
 * the way viem's own decorators (publicActions, walletActions) work. The address is given once;
 * without it, the deployment of the client's chain (`dealproof/deployments`; on 31337 a fresh
 * local node's) is used.
 */
import type { Address } from "viem";
import { deploymentFor } from "../deployments.ts";
import { DealProofError } from "../errors.ts";
import type { DealProofClient } from "./client.ts";
import { acceptDeal, cancelDeal, createDeal, prepareDeal, refund, withdraw, withdrawMany } from "./deals.ts";
import { getListing, listListings } from "./listing-reads.ts";
import {
  createDealFromListing,
  prepareDealFromListing,
  publishListing,
  updateListing,
  withdrawListing,
} from "./listings.ts";
import { currentOracle, getDeal, getDealStatus } from "./reads.ts";
import { watchDeal } from "./watch.ts";

/** `P` without `address` (the decorator supplies it), keeping every other field. */
type At<P> = Omit<P, "address">;

function addressFor(client: DealProofClient, address: Address | undefined): Address {
  if (address !== undefined) return address;
  if (client.chain === undefined)
    throw new DealProofError(
      "deployment.no_address",
      "no DealProof address was given and the client has no chain",
      {
        hint: "pass { address } to dealProofActions, or create the client with a `chain`",
      },
    );
  return deploymentFor(client.chain.id, { local: true }).dealProof;
}

/** DealProof's actions bound to one deployment, for `client.extend(…)`. */
export function dealProofActions(config: { address?: Address } = {}) {
  return (client: DealProofClient) => {
    const at = <P>(p: P) => ({ ...p, address: addressFor(client, config.address) });
    return {
      currentOracle: () => currentOracle(client, at({})),
      getDeal: (p: At<Parameters<typeof getDeal>[1]>) => getDeal(client, at(p)),
      getDealStatus: (p: At<Parameters<typeof getDealStatus>[1]>) => getDealStatus(client, at(p)),
      watchDeal: (p: At<Parameters<typeof watchDeal>[1]>) => watchDeal(client, at(p)),
      prepareDeal: (p: At<Parameters<typeof prepareDeal>[1]>) => prepareDeal(client, at(p)),
      createDeal: (p: At<Parameters<typeof createDeal>[1]>) => createDeal(client, at(p)),
      acceptDeal: (p: At<Parameters<typeof acceptDeal>[1]>) => acceptDeal(client, at(p)),
      refund: (p: At<Parameters<typeof refund>[1]>) => refund(client, at(p)),
      cancelDeal: (p: At<Parameters<typeof cancelDeal>[1]>) => cancelDeal(client, at(p)),
      withdraw: (p: At<Parameters<typeof withdraw>[1]>) => withdraw(client, at(p)),
      withdrawMany: (p: At<Parameters<typeof withdrawMany>[1]>) => withdrawMany(client, at(p)),
      getListing: (p: At<Parameters<typeof getListing>[1]>) => getListing(client, at(p)),
      listListings: (p: At<Parameters<typeof listListings>[1]> = {}) => listListings(client, at(p)),
      publishListing: (p: At<Parameters<typeof publishListing>[1]>) => publishListing(client, at(p)),
      updateListing: (p: At<Parameters<typeof updateListing>[1]>) => updateListing(client, at(p)),
      withdrawListing: (p: At<Parameters<typeof withdrawListing>[1]>) => withdrawListing(client, at(p)),
      prepareDealFromListing: (p: At<Parameters<typeof prepareDealFromListing>[1]>) =>
        prepareDealFromListing(client, at(p)),
      createDealFromListing: (p: At<Parameters<typeof createDealFromListing>[1]>) =>
        createDealFromListing(client, at(p)),
    };
  };
}
