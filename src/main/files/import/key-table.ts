// What a dry run has "added" so far, by merchant and trade number, in 12 bytes a key: a Map of the
// numbers themselves took about 350 MB for a million-row preview. A key is kept as a 64-bit hash, so
// two different numbers could in theory meet (odds under 1 in 10^7 among a million numbers); that
// would only miscount the preview, which writes nothing.

const EMPTY = 0

export class KeyTable {
  private hi = new Int32Array(1024)
  private lo = new Int32Array(1024)
  private values = new Int32Array(1024)
  private count = 0

  get size(): number {
    return this.count
  }

  get(merchantId: number, no: string): number | undefined {
    const [h, l] = hash(merchantId, no)
    const mask = this.hi.length - 1
    for (let i = h & mask; ; i = (i + 1) & mask) {
      if (this.hi[i] === EMPTY && this.lo[i] === EMPTY) return undefined
      if (this.hi[i] === h && this.lo[i] === l) return this.values[i]
    }
  }

  set(merchantId: number, no: string, value: number): void {
    if ((this.count + 1) * 2 > this.hi.length) this.grow()
    const [h, l] = hash(merchantId, no)
    if (this.place(h, l, value)) this.count += 1
  }

  /** True when the key was new. */
  private place(h: number, l: number, value: number): boolean {
    const mask = this.hi.length - 1
    for (let i = h & mask; ; i = (i + 1) & mask) {
      if (this.hi[i] === EMPTY && this.lo[i] === EMPTY) {
        this.hi[i] = h
        this.lo[i] = l
        this.values[i] = value
        return true
      }
      if (this.hi[i] === h && this.lo[i] === l) {
        this.values[i] = value
        return false
      }
    }
  }

  private grow(): void {
    const { hi, lo, values } = this
    this.hi = new Int32Array(hi.length * 2)
    this.lo = new Int32Array(hi.length * 2)
    this.values = new Int32Array(hi.length * 2)
    for (let i = 0; i < hi.length; i++)
      if (hi[i] !== EMPTY || lo[i] !== EMPTY) this.place(hi[i]!, lo[i]!, values[i]!)
  }
}

/** Two independent 32-bit hashes (FNV-1a and a murmur-style mix) of the merchant and the number. */
function hash(merchantId: number, no: string): [number, number] {
  let a = 0x811c9dc5 ^ merchantId
  let b = Math.imul(0x9747b28c ^ merchantId, 0x5bd1e995)
  for (let i = 0; i < no.length; i++) {
    const c = no.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  b ^= b >>> 13
  b = Math.imul(b, 0x5bd1e995)
  b ^= b >>> 15
  // (0, 0) marks an empty slot.
  if (a === EMPTY && b === EMPTY) b = 1
  return [a | 0, b | 0]
}
