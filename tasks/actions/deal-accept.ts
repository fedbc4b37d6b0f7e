import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { readFileSync } from "node:fs";
import { isHexString } from "ethers";
import { userError } from "./user-error.ts";
import { dealContext, dealIdArg, ethAmount, wrap } from "./context.ts";
import { acceptDeal } from "../../oracle/client/parties.ts";

interface Args {
  dealId: string;
  floor: string;
  description: string;
  location: string;
  keyFile: string;
  chunkSize: string;
  eml: string;
  account: string;
  json: boolean;
}

export default async function dealAccept(a: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const id = dealIdArg(a.dealId);
  if (a.description === "") throw userError("--description is required (sealed)");
  if (!/^(file|https?):\/\//.test(a.location))
    throw userError("--location must be a file://, http:// or https:// URL of the encrypted dataset");
  let key: string;
  try {
    key = readFileSync(a.keyFile, "utf8").trim();
  } catch {
    throw userError(`cannot read --key-file ${a.keyFile}`);
  }
  if (!isHexString(key, 32)) throw userError(`${a.keyFile} must hold the 32-byte dataset key as 0x-hex`);
  let email: string | undefined;
  if (a.eml !== "") {
    try {
      email = readFileSync(a.eml).toString("base64");
    } catch {
      throw userError(`cannot read --eml ${a.eml}`);
    }
  }
  const { dp, signer } = await dealContext(hre, a.account);
  const r = await wrap(() =>
    acceptDeal(dp, signer, id, {
      floorWei: ethAmount("floor", a.floor).toString(),
      description: a.description,
      dataset: { location: a.location, key, chunkSize: Number(a.chunkSize) },
      ...(email === undefined ? {} : { email }),
    }),
  );
  const out = { dealId: id.toString(), txHash: r.hash, gasUsed: r.gasUsed.toString() };
  console.log(
    a.json
      ? JSON.stringify(out)
      : `deal ${out.dealId} accepted (tx ${out.txHash}); the oracle negotiates next`,
  );
}
