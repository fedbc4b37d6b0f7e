/**
 * `dealproof/viem`: DealProof for a viem dapp. viem actions for every contract call and read
 * (`(client, params) => Promise`: deals and listings, and `dealProofActions()` for `client.extend`), sealing, deal ids
 * and EIP-712 with viem and @noble only. This entry's module graph never reaches ethers or zod
 * (test/sdk/viem-entry.test.ts): both are optional peers of the package, used only by the
 * `dealproof` entry.
 */
export { DEAL_PROOF_ABI } from "../abi.ts";
export { DealProofError, isDealProofError, findDealProofError, formatDealProofError } from "../errors.ts";
export type { DealProofErrorCode } from "../errors.ts";
export * from "../deployments.ts";
export { formatDealId, shortDealId } from "../deal-id.ts";
export { DEAL_STATE, MAX_DEAL_DURATION, type DealStateName } from "../deal-state.ts";
export { generateX25519KeyPair, type X25519KeyPair } from "../hpke.ts";
export { oracleSealingKey } from "../oracle-key.ts";
export { checkOracleReady, type OracleReadyInput } from "../oracle-ready.ts";
export { fetchOracleHealth, type OracleHealth } from "../oracle-health.ts";
export { MAX_SEALED_BYTES, MAX_TEXT, MAX_EMAIL_BYTES, DEFAULT_CHUNK_SIZE } from "../limits.ts";
export { SealedInputError } from "../sealed-input-error.ts";
export { EIP712_NAME, EIP712_VERSION, SETTLEMENT_TYPES, type Settlement } from "../eip712-types.ts";
export { verifyChunk, type ChunkProof } from "../merkle.ts";
export { DatasetError, type DatasetErrorCode } from "../dataset-error.ts";
export { openDelivery, type DeliveryContext, type DeliveryPayload } from "./delivery.ts";
export {
  dealIdFor,
  listingIdFor,
  settlementDigest,
  type DealProofTarget,
  type DealKeyFields,
} from "./protocol.ts";
export {
  sealBuyerInput,
  sealSellerInput,
  sealListingSellerInput,
  type DealSealContext,
  type ListingSealContext,
} from "./seal.ts";
export type { BuyerInput, SellerInput, DataCheck } from "./types.ts";
export { chainError } from "./chain-error.ts";
export type { DealProofClient, WriteParameters } from "./client.ts";
export {
  currentOracle,
  getDeal,
  getDealStatus,
  type CurrentOracle,
  type Deal,
  type DealStatus,
  type DealStatusName,
} from "./reads.ts";
export {
  prepareDeal,
  createDeal,
  acceptDeal,
  refund,
  cancelDeal,
  withdraw,
  withdrawMany,
  type PrepareDealParameters,
  type PreparedDeal,
  type CreateDealParameters,
  type CreateDealReturnType,
  type AcceptDealParameters,
  type DealWriteParameters,
  type WithdrawManyParameters,
} from "./deals.ts";
export {
  watchDeal,
  DEAL_EVENTS,
  type DealEvent,
  type DealEventName,
  type WatchDealParameters,
} from "./watch.ts";
export {
  getListing,
  listListings,
  type Listing,
  type ListedListing,
  type ListingTermsRead,
  type ListListingsParameters,
} from "./listing-reads.ts";
export {
  publishListing,
  updateListing,
  withdrawListing,
  createDealFromListing,
  prepareDealFromListing,
  type ListingTermsInput,
  type ListingWriteParameters,
  type PublishListingParameters,
  type CreateDealFromListingParameters,
  type DealFromListingRequest,
  type PreparedDealFromListing,
} from "./listings.ts";
export {
  PRICING_MODE,
  LISTING_STATUS,
  type PricingModeName,
  type ListingStatusName,
} from "../listing-state.ts";
export { dealProofActions } from "./decorator.ts";
