/** Loads a quote given as hex, a hex or binary file, or a dstack GetQuote JSON response. */
import { existsSync, readFileSync } from "node:fs";

export interface LoadedQuote {
  quote: Uint8Array;
  /** The event log, when the input was a GetQuote response. */
  eventLog?: string;
}

const HEX = /^(0x)?([0-9a-fA-F]{2})+$/;

export function loadQuoteInput(arg: string): LoadedQuote {
  if (HEX.test(arg.trim()) && !existsSync(arg))
    return { quote: Uint8Array.from(Buffer.from(arg.trim().replace(/^0x/, ""), "hex")) };
  if (!existsSync(arg)) throw new Error(`quote: "${arg.slice(0, 40)}…" is neither hex nor an existing file`);
  const bytes = readFileSync(arg);
  const text = bytes.toString("utf8").trim();
  if (text.startsWith("{")) {
    let json: { quote?: unknown; event_log?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new Error(`quote file ${arg} looks like JSON but does not parse`);
    }
    if (typeof json.quote !== "string" || !HEX.test(json.quote))
      throw new Error(`quote file ${arg} has no hex "quote" field`);
    return {
      quote: Uint8Array.from(Buffer.from(json.quote.replace(/^0x/, ""), "hex")),
      eventLog: typeof json.event_log === "string" ? json.event_log : undefined,
    };
  }
  if (HEX.test(text)) return { quote: Uint8Array.from(Buffer.from(text.replace(/^0x/, ""), "hex")) };
  return { quote: new Uint8Array(bytes) };
}
