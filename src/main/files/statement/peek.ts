// The head of a byte stream, read before deciding what the stream is, and then the whole stream again
// from its first byte. The underlying iterator is closed or drained explicitly (a hash needs every
// byte even after the parser stopped), never as a side effect of a consumer stopping early.

export class PeekedStream {
  private constructor(
    readonly head: Buffer,
    /** The stream ended within the head. */
    readonly whole: boolean,
    private readonly rest: AsyncIterator<Buffer>,
  ) {}

  static async open(src: AsyncIterable<Buffer>, min: number): Promise<PeekedStream> {
    const it = src[Symbol.asyncIterator]()
    const parts: Buffer[] = []
    let length = 0
    let whole = false
    while (length < min) {
      const r = await it.next()
      if (r.done) {
        whole = true
        break
      }
      parts.push(r.value)
      length += r.value.length
    }
    return new PeekedStream(parts.length === 1 ? parts[0]! : Buffer.concat(parts), whole, it)
  }

  /** Every chunk from the first byte; stopping early leaves the rest unread, not closed. */
  async *chunks(): AsyncGenerator<Buffer> {
    if (this.head.length) yield this.head
    if (this.whole) return
    for (;;) {
      const r = await this.rest.next()
      if (r.done) return
      yield r.value
    }
  }

  /** Reads what is left (so that a digest sees every byte); a read error ends it. */
  async drain(): Promise<void> {
    if (this.whole) return
    try {
      for (;;) if ((await this.rest.next()).done) return
    } catch {
      // A damaged stream ends here; the digest of what came so far is what it is.
    }
  }

  async close(): Promise<void> {
    try {
      await this.rest.return?.()
    } catch {
      // Closing a failed stream has nothing more to say.
    }
  }
}
