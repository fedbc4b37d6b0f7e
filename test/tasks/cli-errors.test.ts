/**
 * Every task, run as a user runs it (the real `hardhat` CLI in a child process), answers bad
 * arguments and other expected failures with a plain message, a `hint:` line saying what to do
 * and a non-zero exit, never a stack trace or "report a bug"; so do the oracle's entry, the
 * verify-quote CLI and the demo;
 * deploy refuses a node whose chain id is not the network's pinned one before any transaction;
 * the oracle stops at once with one line on a missing deployment or an unreachable RPC.
 */
import { expect } from "chai";
import hre from "hardhat";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { writeFakeDeployment } from "../helpers.ts";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "node_modules", ".bin");
const CLOSED = "http://127.0.0.1:9"; // discard port: nothing listens

/**
 * The environment of a user's terminal: Hardhat always prints stack traces when it detects a CI
 * server ("always enabled on CI servers", its --show-stack-traces help), so the variables its
 * isCi() reads are removed; otherwise this suite, run by CI, would test CI's output, not a user's.
 */
const CI_VARIABLES = [
  "CI",
  "CONTINUOUS_INTEGRATION",
  "GITHUB_ACTIONS",
  "NOW",
  "DEPLOYMENT_ID",
  "CODEBUILD_BUILD_NUMBER",
  "BUILD_NUMBER",
  "RUN_ID",
];
const terminalEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !CI_VARIABLES.includes(k)),
);

function run(
  cmd: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...terminalEnv, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`, ...extraEnv },
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

/**
 * A non-zero exit, the message, then a `hint:` line (matching `hint`), and no stack. `hint` null:
 * an error of Hardhat's own argument parser, which has no hint line (it links its docs instead).
 */
function expectPlain(r: { code: number; out: string }, message: RegExp, hint: RegExp | null = /\S/): void {
  expect(r.code, r.out).to.not.equal(0);
  expect(r.out).to.match(message);
  expect(r.out, "a stack trace").to.not.include("    at ");
  if (hint === null) {
    expect(r.out).to.match(/^Error HHE\d+: /m);
    return;
  }
  const hintLine = /^hint: (.+)$/m.exec(r.out);
  expect(hintLine, `a hint line in:\n${r.out}`).to.not.equal(null);
  expect(hintLine![1]).to.match(hint);
  expect(r.out.indexOf(hintLine![0]), "the hint follows the message").to.be.greaterThan(
    r.out.search(message),
  );
  expect(r.out, "a stack trace").to.not.include("    at ");
  expect(r.out, "a stack trace").to.not.match(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.out).to.not.match(/report (it|this)|bug/i);
}

describe("the CLI with bad arguments: plain messages, no stack traces", function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), "dealproof-cli-"));
  const plain = join(dir, "d.txt");
  writeFileSync(plain, "x".repeat(5000));

  const shortSeed = join(dir, "short-seed");
  writeFileSync(shortSeed, "12345");
  /** task, arguments, the message, and (where more than the hints below) the hint */
  const cases: [string, string[], RegExp, RegExp?][] = [
    ["deploy", ["--verifier-kind", "nope"], /--verifier-kind must be "simulated" or "automata"/],
    ["deploy", ["--attestation-key", "0x12"], /is not 64 bytes of 0x-hex/],
    ["oracle:register", ["--tee", "nope"], /--tee must be simulator or dstack/],
    [
      "measurement:allow",
      ["--quote", "0x1234", "--network", "localhost"],
      /Cannot connect|cannot read deployment file|quote/,
    ],
    ["measurement:allow", [], /--quote is required/],
    ["verify-quote", ["0xzz"], /quote|hex/i],
    ["verify-quote", [], /Missing value for the task argument named "quote"/],
    ["tee:simulator-pki", [], /--out-dir is required/],
    ["tee:simulator-key", ["--seed-file", join(dir, "typo", "seed")], /no simulator seed at .*typo/],
    [
      "tee:simulator-key",
      ["--seed-file", shortSeed],
      /must hold exactly 32 bytes; it holds 5/,
      /remove it to create a new identity/,
    ],
    [
      "phala:app-compose",
      ["--image", "registry/dealproof-oracle:latest", "--out", join(dir, "app-compose.json")],
      /--image must name the pushed image by digest/,
      /@sha256:<64 hex>/,
    ],
    ["dataset:commit", [join(dir, "absent")], /cannot read/],
    [
      "deal:receive",
      ["0x01", "--key", join(dir, "absent"), "--out", join(dir, "o")],
      /cannot read the key file/,
    ],
    ["dataset:encrypt", [plain], /--out is required/],
    ["dataset:verify", [plain, "--root", "0x12"], /--root must be 0x followed by 64 hex digits/],
    ["deal:receive", ["0x01"], /--key .* and --out are required/],
    ["deal:create", ["--seller", "bob"], /--seller must be the seller's address/],
    ["deal:accept", ["0x01"], /--description is required/],
    ["deal:status", ["not-an-id"], /dealId must be a deal id in hex/],
    ["deal:refund", ["0xnope"], /dealId must be a deal id in hex/],
    ["deal:withdraw", ["1", "--to", "0x12"], /--to must be an address/],
    ["deals:list", ["--buyer", "alice"], /--buyer must be an address/],
    ["deal:transcript", ["1", "--oracle", "ftp://x"], /--oracle must be the oracle API's http\(s\) URL/],
    [
      "deal:status",
      ["0x7b", "--network", "localhost"],
      /Cannot connect to the network "localhost"|cannot read deployment file/,
    ],
  ];

  /** The hint each case must give, where it is more than the task's --help. */
  const hints: Record<string, RegExp> = {
    "tee:simulator-key": /check the path, or create one with `npx hardhat tee:simulator-key --create-seed`/,
    "verify-quote": /quote|usage/,
    "deal:receive": /--delivery-key-out|--help/,
  };

  it("each task refuses bad arguments with what to fix", async () => {
    // two at a time: each is a Hardhat start-up
    for (let i = 0; i < cases.length; i += 2) {
      await Promise.all(
        cases.slice(i, i + 2).map(async ([task, args, message, hint]) => {
          const r = await run("hardhat", [task, ...args], { LOCAL_RPC_URL: CLOSED });
          expectPlain(
            r,
            message,
            args.length === 0 && task === "verify-quote" ? null : (hint ?? hints[task]),
          );
          // a bad argument with no advice of its own points at the task's --help
          if (hint === undefined && hints[task] === undefined && /--[a-z-]+ (must|is required)/.test(r.out))
            expect(r.out).to.match(new RegExp(`^hint: see npx hardhat ${task} --help$`, "m"));
          if (/cannot read deployment file/.test(r.out))
            expect(r.out).to.match(/^hint: Run the deploy task first/m);
        }),
      );
    }
  });

  it("the verify-quote CLI prints message and hint, exit 2 on bad usage", async () => {
    const cli = (args: string[]) =>
      run(join(bin, "node"), [
        "--disable-warning=ExperimentalWarning",
        join(root, "oracle/cli/verify-quote.ts"),
        ...args,
      ]);
    const notAQuote = await cli([join(dir, "absent.hex")]);
    expectPlain(
      notAQuote,
      /^verify-quote: quote: ".*absent\.hex.*" is neither hex nor an existing file/m,
      /0x-hex/,
    );
    expect(notAQuote.code).to.equal(2);
    const badNow = await cli(["0x00", "--now", "yesterday"]);
    expectPlain(badNow, /^verify-quote: --now must be an ISO date or Unix seconds/m, /verify-quote --help/);
    expect(badNow.code).to.equal(2);
    const json = join(dir, "q.json");
    writeFileSync(json, "{ not json");
    expectPlain(await cli([json]), /looks like JSON but does not parse/, /"quote" field/);
  });

  it("the demo answers bad arguments with its usage, exit code 2", async () => {
    const demo = (args: string[]) =>
      run(join(bin, "node"), [
        "--disable-warning=ExperimentalWarning",
        join(root, "scripts/demo.ts"),
        ...args,
      ]);
    for (const [args, message, hint] of [
      [
        ["--bogus"],
        /^demo: Unknown option '--bogus'\nhint: see the usage below\nnpm run demo -- \[--scenario/m,
        /usage/,
      ],
      [["--scenario", "x"], /^demo: unknown scenario "x"/m, /^choose one of vision,/],
      [["--deals", "99"], /^demo: --deals must be 1\.\.15/m, /1 to 15/],
      [["--settle", "cash"], /^demo: --settle must be quote or signature/m, /--settle quote/],
    ] as const) {
      const r = await demo([...args]);
      expectPlain(r, message, hint);
      expect(r.code).to.equal(2);
    }
  });

  it("deploy --network sepolia refuses a node of another chain id before any transaction", async () => {
    const server = await hre.network.createServer("default", "127.0.0.1", 0);
    const { port } = await server.listen();
    try {
      const key = "0x" + "ab".repeat(32);
      const r = await run("hardhat", ["deploy", "--network", "sepolia"], {
        SEPOLIA_RPC_URL: `http://127.0.0.1:${port}`,
        DEPLOYER_PRIVATE_KEY: key,
      });
      expectPlain(
        r,
        /pinned to chain id 11155111, but its node answers chain id 31337.*nothing was deployed/,
        /check the network's RPC URL/,
      );
      expect(existsSync(join(root, "deployments", "sepolia.json"))).to.equal(false);
      const conn = await hre.network.create({
        network: "localhost",
        override: { url: `http://127.0.0.1:${port}` },
      });
      const { Wallet } = await import("ethers");
      expect(await conn.ethers.provider.getTransactionCount(new Wallet(key).address)).to.equal(0);
      await conn.close();
    } finally {
      await server.close();
    }
  });

  it("the oracle stops at once with one line on a missing deployment or an unreachable RPC", async () => {
    const base = {
      DEALPROOF_SENDER_KEY: "0x" + "11".repeat(32),
      DEALPROOF_SIMULATOR_SEED_FILE: join(dir, "seed"),
      DEALPROOF_HTTP_PORT: "0",
    };
    const node = join(bin, "node");
    const main = ["--disable-warning=ExperimentalWarning", join(root, "oracle/simulator/main.ts")];
    const missing = await run(node, main, {
      ...base,
      DEALPROOF_RPC_URL: CLOSED,
      DEALPROOF_DEPLOYMENT: join(dir, "absent.json"),
    });
    expectPlain(
      missing,
      /^oracle: cannot read deployment file .*absent\.json/m,
      /^Run the deploy task first/,
    );
    const dep = join(dir, "dep.json");
    writeFakeDeployment(dep);
    const unreachable = await run(node, main, {
      ...base,
      DEALPROOF_RPC_URL: `${CLOSED}/secret-api-key`,
      DEALPROOF_DEPLOYMENT: dep,
    });
    expectPlain(
      unreachable,
      /^oracle: DEALPROOF_RPC_URL \(http:\/\/127\.0\.0\.1:9\) does not answer eth_chainId/m,
      /DEALPROOF_RPC_URL is right/,
    );
    expect(unreachable.out).to.not.include("secret-api-key");
    const badConfig = await run(node, main, {
      ...base,
      DEALPROOF_RPC_URL: "not a url",
      DEALPROOF_DEPLOYMENT: dep,
    });
    expectPlain(
      badConfig,
      /^oracle: invalid oracle configuration:\n {2}DEALPROOF_RPC_URL: /m,
      /\.env\.example/,
    );
    expect(badConfig.code).to.equal(2);
  });

  it("the production entry (the image's CMD) refuses the simulated TEE before touching the network", async () => {
    const prod = ["--disable-warning=ExperimentalWarning", join(root, "oracle/main/main.ts")];
    const refused = await run(join(bin, "node"), prod, {
      DEALPROOF_SENDER_KEY: "0x" + "11".repeat(32),
      DEALPROOF_RPC_URL: CLOSED,
      DEALPROOF_DEPLOYMENT: join(dir, "absent.json"),
      DEALPROOF_TEE_MODE: "simulator",
    });
    expect(refused.code).to.equal(2);
    expectPlain(
      refused,
      /^oracle: DEALPROOF_TEE_MODE=simulator is not available in the production entry/m,
      /DEALPROOF_TEE_MODE=dstack.*npm run oracle/,
    );
    // refused before preflight: neither the deployment file nor the RPC was looked at
    expect(refused.out).to.not.match(/deployment|does not answer/);
    const dstackSim = await run(join(bin, "node"), prod, {
      DEALPROOF_SENDER_KEY: "0x" + "11".repeat(32),
      DEALPROOF_RPC_URL: CLOSED,
      DEALPROOF_DEPLOYMENT: join(dir, "absent.json"),
      DEALPROOF_TEE_MODE: "dstack",
      DSTACK_SIMULATOR_ENDPOINT: "http://127.0.0.1:9",
    });
    expect(dstackSim.code).to.equal(2);
    expectPlain(dstackSim, /^oracle: DSTACK_SIMULATOR_ENDPOINT is set/m, /unset DSTACK_SIMULATOR_ENDPOINT/);
  });
});
