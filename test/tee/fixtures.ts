/** The real TDX fixtures in ../shared (absent in a plain clone: tests skip, saying why). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const FIXTURES = join(import.meta.dirname, "..", "..", "..", "shared", "fixtures", "tdx");
export const PINNED_NOW = Math.floor(Date.parse("2026-03-01T00:00:00Z") / 1000);

export function loadFixture() {
  const response = JSON.parse(readFileSync(join(FIXTURES, "dstack-getquote-response.json"), "utf8")) as {
    quote: string;
    event_log: string;
    report_data: string;
  };
  const collateral: unknown = JSON.parse(
    readFileSync(join(FIXTURES, "dstack-getquote-collateral.json"), "utf8"),
  );
  return { response, collateral, quote: Uint8Array.from(Buffer.from(response.quote, "hex")) };
}
