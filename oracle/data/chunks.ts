/** Re-chunks a byte stream into fixed-size chunks (the last may be shorter), in constant memory. */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let buf = Buffer.allocUnsafe(size);
  let fill = 0;
  for await (const piece of source) {
    let off = 0;
    // Zero-copy while the stream is chunk-aligned (file reads with highWaterMark = chunk size).
    while (fill === 0 && piece.length - off >= size) {
      yield Buffer.from(piece.buffer, piece.byteOffset + off, size);
      off += size;
    }
    while (off < piece.length) {
      const n = Math.min(size - fill, piece.length - off);
      buf.set(piece.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === size) {
        yield buf;
        buf = Buffer.allocUnsafe(size);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/** Reads exactly `n` bytes from an async byte iterator, keeping leftovers; null at a clean end. */
export class ExactReader {
  #it: AsyncIterator<Uint8Array>;
  #pending: Buffer = Buffer.alloc(0);
  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }
  /** Returns up to n bytes (fewer only at the end of the stream). */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      if (this.#pending.length === 0) {
        const r = await this.#it.next();
        if (r.done === true) break;
        this.#pending = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      }
      const take = Math.min(n - have, this.#pending.length);
      parts.push(this.#pending.subarray(0, take));
      this.#pending = this.#pending.subarray(take);
      have += take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
  }
}
