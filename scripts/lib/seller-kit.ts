/**
 * What a seller prepares before accepting a deal, for the demo, tests and benchmark: a dataset
 * for a scenario (CSV), its encrypted copy and dataRoot, and an email from the seller's domain
 * DKIM-signed with a key whose TXT record a local resolver serves.
 */
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { dkimSign } from "mailauth";
import { encryptFile } from "../../client/files.ts";
import { scenarioCsv, type Scenario } from "./scenarios.ts";
import { createStaticResolver, type DnsResolver } from "../../oracle/dkim/resolver.ts";

export interface SellerDataset {
  plainPath: string;
  encPath: string;
  location: string;
  key: `0x${string}`;
  dataRoot: `0x${string}`;
  chunkSize: number;
  size: number;
}

export async function prepareDataset(
  dir: string,
  s: Scenario,
  /** csv: the text to offer instead of the scenario's generated rows (e.g. the demo's dishonest seller). */
  opts: { rows?: number; chunkSize?: number; tag?: string; csv?: string } = {},
): Promise<SellerDataset> {
  const tag = opts.tag ?? s.name;
  const plainPath = join(dir, `${tag}.csv`);
  writeFileSync(plainPath, opts.csv ?? scenarioCsv(s, opts.rows ?? Math.min(s.dataset.rows, 5000)));
  const encPath = join(dir, `${tag}.csv.enc`);
  const chunkSize = opts.chunkSize ?? 64 * 1024;
  const { manifest, key } = await encryptFile(plainPath, encPath, { chunkSize });
  return {
    plainPath,
    encPath,
    location: pathToFileURL(encPath).href,
    key,
    dataRoot: manifest.root,
    chunkSize,
    size: manifest.size,
  };
}

export interface SellerEmailKit {
  domain: string;
  resolver: DnsResolver;
  sign(from: string, subject: string, body: string): Promise<string>;
}

/** A local test domain: an ed25519 DKIM key and a resolver that serves its TXT record. */
export function sellerEmailKit(domain = "acme-data.test"): SellerEmailKit {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const p = publicKey.export({ type: "spki", format: "der" }).subarray(-32).toString("base64");
  const resolver = createStaticResolver({ [`dealproof._domainkey.${domain}`]: `v=DKIM1; k=ed25519; p=${p}` });
  return {
    domain,
    resolver,
    async sign(from, subject, body) {
      const msg = `From: ${from}\r\nTo: buyers@dealproof.test\r\nSubject: ${subject}\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <${Date.now()}@${domain}>\r\n\r\n${body}\r\n`;
      const signer = {
        signingDomain: domain,
        selector: "dealproof",
        privateKey: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
      };
      const r = await dkimSign(msg, { ...signer, signatureData: [signer] });
      if (r.signatures === "") throw new Error("DKIM signing failed");
      return Buffer.from(r.signatures + msg).toString("base64");
    },
  };
}
