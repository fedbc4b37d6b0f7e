/**
 * `dealproof`: what a dapp needs to make and follow DealProof deals. Every export is browser-safe
 * (no Node built-ins; HPKE over WebCrypto). The oracle, the Hardhat tasks and the demo import
 * these same sources, so the SDK is the single definition of the protocol's bytes; creating and
 * accepting a deal (parties.ts) is one function for the dapp, the tasks and the demo alike.
 */
export { DEAL_PROOF_ABI } from "./abi.ts";
export {
  DealProofError,
  isDealProofError,
  findDealProofError,
  formatDealProofError,
  type DealProofErrorCode,
  type DealProofErrorOptions,
} from "./errors.ts";
export { parseEthAmount } from "./eth-amount.ts";
export {
  DEPLOYMENTS,
  LOCAL_DEPLOYMENT,
  CHAIN_IDS,
  deploymentFor,
  type DealProofDeployment,
  type KnownChainId,
} from "./deployments.ts";
export {
  EIP712_NAME,
  EIP712_VERSION,
  SETTLEMENT_TYPES,
  ORACLE_REGISTRATION_TYPES,
  dealProofDomain,
  dealIdFor,
  settlementDigest,
  registrationDigest,
  instanceIdBytes32,
  reportDataFor,
  type Eip712Domain,
  type Settlement,
  type DealKey,
  type Hex,
} from "./eip712.ts";
export { formatDealId, shortDealId } from "./deal-id.ts";
export { measurementId, type TdMeasurements } from "./measurement.ts";
export {
  DEAL_STATE,
  CHANGE_KIND,
  MAX_DEAL_DURATION,
  dealStateName,
  type DealStateName,
} from "./deal-state.ts";
export {
  LISTING_STATUS,
  PRICING_MODE,
  listingStatusName,
  pricingModeName,
  type ListingStatusName,
  type PricingModeName,
} from "./listing-state.ts";
export { generateX25519KeyPair, type X25519KeyPair } from "./hpke.ts";
export {
  sealBuyerInput,
  sealSellerInput,
  openBuyerInput,
  openSellerInput,
  sealListingSellerInput,
  openListingSellerInput,
  listingSealInfo,
  buyerInputSchema,
  sellerInputSchema,
  SealedInputError,
  type BuyerInput,
  type SellerInput,
  type SealContext,
  type ListingSealContext,
  type Role,
} from "./inputs.ts";
export {
  MAX_SEALED_BYTES,
  MAX_TEXT,
  MAX_EMAIL_BYTES,
  DEFAULT_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
} from "./limits.ts";
export { oracleSealingKey, type CurrentOracle } from "./oracle-key.ts";
export { checkOracleReady, type OracleReadyInput } from "./oracle-ready.ts";
export { DatasetError, type DatasetErrorCode } from "./dataset-error.ts";
export {
  createDeal,
  prepareDeal,
  acceptDeal,
  type DealProofContract,
  type NewDealArgs,
  type PreparedDeal,
  type CreatedDeal,
} from "./parties.ts";
export {
  publishListing,
  updateListing,
  withdrawListing,
  createDealFromListing,
  prepareDealFromListing,
  getListing,
  listingViewOf,
  listListings,
  listingIdOf,
  type ListingTermsArgs,
  type PublishListingArgs,
  type PublishedListing,
  type ListingView,
  type ListedListing,
  type DealFromListingArgs,
  type DealFromListing,
  type PreparedDealFromListing,
  type RawListing,
} from "./listings.ts";
export type { BuyerTerms } from "./party-chain.ts";
export {
  openDelivery,
  sealDelivery,
  deliveryPayloadSchema,
  type DeliveryPayload,
  type DeliveryContext,
} from "./delivery.ts";
export { verifyChunk, datasetRoot, type ChunkProof } from "./merkle.ts";
export { decodeDealProofEvent, type DecodedEvent } from "./events.ts";
export {
  decodeRevert,
  describeChainError,
  chainError,
  bytesAsText,
  type DecodedRevert,
  type ChainErrorCode,
} from "./revert.ts";
export {
  commitDataset,
  commitAndEncryptDataset,
  decryptAndVerifyDataset,
  type DatasetCommitment,
  type EncryptedDataset,
  type DecryptedDataset,
} from "./dataset-stream.ts";
export {
  verifySettlementQuote,
  parseTdQuote,
  tdAttributesProblems,
  type DcapQvl,
  type QuoteCheck,
  type SettlementQuoteVerdict,
} from "./settlement-quote.ts";
export type { Td10Body } from "./quote-layout.ts";
export { checkTdAttributes, type TdAttributesCheck } from "./td-attributes.ts";
export {
  fetchOracleDeal,
  signInToOracle,
  fetchDealTranscript,
  fetchSimulatedDcap,
  fetchOracleHealth,
  type OracleHealth,
  offersByRound,
  type OracleAuth,
  type OracleDealView,
  type SignMessage,
} from "./oracle-api.ts";
export {
  checks,
  ChecksBuilder,
  parseCheckSpec,
  checkSpecHash,
  canonicalSpecJson,
  overlapKey,
  effectivePolicy,
  CheckSpecError,
  DEFAULT_POLICY,
  COLUMN_TYPES,
  DATASET_FORMATS,
  MAX_CHECKS,
  MAX_PATTERN_LENGTH,
  MAX_SET_VALUES,
  MAX_OVERLAP_KEYS,
  checkSchema,
  checkSpecSchema,
  datasheetSchema,
  disclosurePolicySchema,
  overlapKeysSchema,
  type Check,
  type CheckKind,
  type CheckSpec,
  type CheckResult,
  type CheckReport,
  type ColumnType,
  type Datasheet,
  type DatasetFormat,
  type DisclosurePolicy,
  type DisclosurePolicyInput,
  type OverlapKeys,
} from "./checks.ts";
export {
  LISTING_VERDICTS,
  VERIFIED_LISTING_TYPES,
  VerifiedListingError,
  verifiedListingRecordSchema,
  verifiedListingDigest,
  verifiedListingRecordHash,
  canonicalRecordJson,
  verifyVerifiedListing,
  type ListingVerdict,
  type SignedVerifiedListing,
  type VerifiedListingErrorCode,
  type VerifiedListingRecord,
} from "./verified-listing.ts";
