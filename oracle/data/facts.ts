/**
 * What the buyer's agent may learn about a dataset, computed while streaming (bounded memory):
 * size, chunk count, and for CSV / JSONL the record count, columns and up to three short samples.
 * Hand-written sniffing: only the first line decides the format, and only the first 64 KiB are kept.
 */
export interface DataFacts {
  sizeBytes: number;
  chunkCount: number;
  chunkSize: number;
  format: "csv" | "jsonl" | "binary";
  records?: number;
  columns?: string[];
  samples?: string[];
}

const HEAD_LIMIT = 64 * 1024;
const SAMPLE_LEN = 160;

/** Splits one CSV line on commas outside double quotes. */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === "," && !quoted) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

export class FactsCollector {
  #head: Buffer[] = [];
  #headLen = 0;
  #newlines = 0;
  #lastByte = -1;
  #size = 0;
  #binary = false;

  add(chunk: Uint8Array): void {
    this.#size += chunk.length;
    if (this.#headLen < HEAD_LIMIT) {
      const take = chunk.subarray(0, HEAD_LIMIT - this.#headLen);
      this.#head.push(Buffer.from(take));
      this.#headLen += take.length;
    }
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 10) this.#newlines++;
      else if (b === 0) this.#binary = true;
    }
    if (chunk.length > 0) this.#lastByte = chunk[chunk.length - 1]!;
  }

  finish(chunkCount: number, chunkSize: number): DataFacts {
    const base = { sizeBytes: this.#size, chunkCount, chunkSize };
    if (this.#binary) return { ...base, format: "binary" };
    const head = Buffer.concat(this.#head).toString("utf8");
    const lines = head.split(/\r?\n/);
    const first = lines[0] ?? "";
    const lineCount = this.#newlines + (this.#lastByte === 10 || this.#size === 0 ? 0 : 1);
    const complete = lines
      .slice(0, this.#headLen < this.#size ? -1 : undefined)
      .filter((l) => l.trim() !== "");
    try {
      const obj: unknown = JSON.parse(first);
      if (obj !== null && typeof obj === "object" && !Array.isArray(obj)) {
        return {
          ...base,
          format: "jsonl",
          records: lineCount,
          columns: Object.keys(obj),
          samples: complete.slice(0, 3).map((l) => l.slice(0, SAMPLE_LEN)),
        };
      }
    } catch {
      /* not JSONL */
    }
    const columns = splitCsvLine(first);
    if (columns.length >= 2 && columns.every((c) => c !== "")) {
      return {
        ...base,
        format: "csv",
        records: Math.max(0, lineCount - 1),
        columns,
        samples: complete.slice(1, 4).map((l) => l.slice(0, SAMPLE_LEN)),
      };
    }
    return { ...base, format: "binary" };
  }
}
