/** Loads a quote given as hex, a hex or binary file, or a dstack GetQuote JSON response. */
import { existsSync, readFileSync } from "node:fs";
import { DealProofError } from "../../sdk/src/errors.ts";

export interface LoadedQuote {
  quote: Uint8Array;
  /** The event log, when the input was a GetQuote response. */
  eventLog?: string;
}

const HEX = /^(0x)?([0-9a-fA-F]{2})+$/;

export function loadQuoteInput(arg: string): LoadedQuote {
  if (HEX.test(arg.trim()) && !existsSync(arg))
    return { quote: Uint8Array.from(Buffer.from(arg.trim().replace(/^0x/, ""), "hex")) };
  if (!existsSync(arg))
    throw new DealProofError(
      "quote.bad_input",
      `quote: "${arg.slice(0, 40)}…" is neither hex nor an existing file`,
      {
        hint: "pass the quote as 0x-hex or the path of a file holding it",
      },
    );
  const bytes = readFileSync(arg);
  const text = bytes.toString("utf8").trim();
  if (text.startsWith("{")) {
    let json: { quote?: unknown; event_log?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new DealProofError("quote.bad_input", `quote file ${arg} looks like JSON but does not parse`, {
        hint: 'give a JSON file with a hex "quote" field (as the dstack guest agent answers), or raw hex',
      });
    }
    if (typeof json.quote !== "string" || !HEX.test(json.quote))
      throw new DealProofError("quote.bad_input", `quote file ${arg} has no hex "quote" field`, {
        hint: 'give a JSON file with a hex "quote" field (as the dstack guest agent answers), or raw hex',
      });
    return {
      quote: Uint8Array.from(Buffer.from(json.quote.replace(/^0x/, ""), "hex")),
      eventLog: typeof json.event_log === "string" ? json.event_log : undefined,
    };
  }
  if (HEX.test(text)) return { quote: Uint8Array.from(Buffer.from(text.replace(/^0x/, ""), "hex")) };
  return { quote: new Uint8Array(bytes) };
}
