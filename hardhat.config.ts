import { createRequire } from "node:module";
import { configVariable, defineConfig } from "hardhat/config";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { tasks } from "./tasks/index.ts";

const require = createRequire(import.meta.url);

/**
 * The one pinned compiler version. It must equal the version of the npm `solc`
 * package in package.json: Hardhat cannot download compilers on this network,
 * so it runs the soljson.js shipped in that package.
 */
export const SOLC_VERSION = "0.8.33";

/**
 * Osaka (Fusaka) is live on Ethereum mainnet and Sepolia; it is also EDR's default.
 * It gives the P-256 precompile at 0x100 that OpenZeppelin's P256 library uses.
 */
export const EVM_VERSION = "osaka";

/**
 * viaIR, 1 000 runs: with the listings (issue 25) the legacy pipeline at 10 000 runs made
 * DealProof 29 165 bytes, over EIP-170's 24 576 (it was 24 147 before them); viaIR at 1 000 runs
 * makes it about 21 200 and leaves room for the next parts (docs/contracts.md, "Gas").
 */
const OPTIMIZER = { viaIR: true, optimizer: { enabled: true, runs: 1_000 } } as const;

/**
 * Every network's chain id is pinned: Hardhat refuses a node answering another id, and the deploy
 * task checks it before any transaction. Secrets are configuration variables, read from the
 * environment or from the encrypted keystore (`npx hardhat keystore set SEPOLIA_RPC_URL`), and only
 * when the network is used (docs/operations.md).
 */
export const CHAIN_IDS = { hardhat: 31337, localhost: 31337, sepolia: 11155111 } as const;

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks,
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: require.resolve("solc/soljson.js"),
        settings: {
          evmVersion: EVM_VERSION,
          ...OPTIMIZER,
        },
      },
    },
  },
  // TypeChain's files (types/ethers-contracts/) are generated: they are not checked themselves —
  // they use non-declare `namespace`s, which erasable-only TypeScript rejects, and a test mock's
  // `target()` function collides with BaseContract.target — but every use of their types is
  // (oracle/chain/dealproof.ts, web/src/deals.ts, tests). DealProof's own file has no other error.
  typechain: { tsNocheck: true },
  paths: {
    tests: { mocha: "test", solidity: "contracts/test" },
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1", chainId: CHAIN_IDS.hardhat },
    localhost: {
      type: "http",
      chainId: CHAIN_IDS.localhost,
      url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545",
    },
    sepolia: {
      type: "http",
      chainType: "l1",
      chainId: CHAIN_IDS.sepolia,
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
  },
  // `npx hardhat verify --network sepolia <address> <constructor args…>` (docs/operations.md)
  verify: {
    etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") },
    sourcify: { enabled: true },
  },
});
