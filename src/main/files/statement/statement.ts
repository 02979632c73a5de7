import { AlipayDetailParser } from './alipay-detail'
import { AlipaySummaryParser, type AlipaySummaryTotals } from './alipay-summary'
import { bindingFailure, type FormatOutcome } from './checks'
import { StatementError, type StatementReason } from './errors'
import { gunzipStream, isZlibError, looksLikeGzip } from './inflate'
import { byteLines, detectEncoding, HEAD_BYTES, textLines } from './lines'
import { statementText } from './messages'
import { PeekedStream } from './peek'
import { sniffStatement, unionpayName, type SniffedFormat } from './sniff'
import type { ByteSource } from './source'
import type {
  StatementChannel,
  StatementFormat,
  StatementHash,
  StatementLine,
  StatementNotice,
  StatementResult,
  StatementTotals,
} from './types'
import { UnionpayZmParser } from './unionpay-zm'
import { BillDigest, hashMismatch, sha1Of } from './wechat-hash'
import { looksLikeZip, readZipDirectory, zipEntryStream, type ZipEntry } from './zip'
import { WechatTradeParser } from './wechat-trade'

// Reading one statement file: what it is (zip, gzip or plain; then its first line), its lines in
// batches as they are parsed, and at the end the verdict — the file's own totals against its lines
// (docs/reconcile.md A10), WeChat's SHA-1 (A1.2). The caller stores each batch as it comes (memory
// does not grow with the file) and uses the lines only when `result.status` is `parsed`: a failed
// statement is rejected whole, nothing matched (A0.3).
//
//   const reading = readStatement(fileSource(file), { channel: 'wechat', expectedSha1 })
//   for await (const batch of reading) store(batch)
//   if (reading.result.status === 'failed') discard(reading.result.refusal)

export interface ReadStatementOptions {
  /** The profile's channel: a file of another channel is refused. */
  channel?: StatementChannel
  /** The profile's account (Alipay PID, WeChat mchid, UnionPay merId): a file naming another is refused. */
  account?: string
  /** WeChat's `hash_value` from the apply answer: the file must match it. */
  expectedSha1?: string
  /** UnionPay's settle date, YYYY-MM-DD, for a file whose name does not carry it. */
  settleDate?: string
  /** Lines per batch; default 5 000, the store's transaction size (A4). */
  batchSize?: number
}

const CHANNEL_OF: Record<StatementFormat, StatementChannel> = {
  alipay_trade: 'alipay',
  wechat_trade: 'wechat',
  unionpay_zm: 'unionpay',
}
const CHANNEL_NAMES: Record<StatementChannel, { zh: string; en: string }> = {
  alipay: { zh: '支付宝', en: 'Alipay' },
  wechat: { zh: '微信支付', en: 'WeChat Pay' },
  unionpay: { zh: '银联', en: 'UnionPay' },
}

/** Refusals that say nothing of the file's completeness: its integrity stays `unavailable`. */
const NOT_ABOUT_INTEGRITY: ReadonlySet<StatementReason> = new Set(['unknown_format', 'account_mismatch'])

interface LineParser<T> {
  line(no: number, input: T): StatementLine | null
}

class Tally {
  format: StatementFormat | null = null
  channel: StatementChannel | null = null
  encoding: string | null = null
  entries: string[] = []
  notices: StatementNotice[] = []
  readonly totals: StatementTotals = {
    lines: 0,
    pay: 0,
    refund: 0,
    revoke: 0,
    other: 0,
    payAmount: 0,
    refundAmount: 0,
    revokeAmount: 0,
    feeE5: 0,
    settleAmount: 0,
    netE5: null,
  }

  count(l: StatementLine): void {
    const t = this.totals
    t.lines += 1
    t[l.kind] += 1
    if (l.kind === 'pay') t.payAmount += l.amount
    else if (l.kind === 'refund') t.refundAmount += l.amount
    else if (l.kind === 'revoke') t.revokeAmount += l.amount
    t.feeE5 += l.feeE5
    t.settleAmount += l.settleAmount
  }
}

export class StatementReading implements AsyncIterable<StatementLine[]> {
  private outcome: StatementResult | null = null
  private readonly batchSize: number

  constructor(
    private readonly source: ByteSource,
    private readonly options: ReadStatementOptions = {},
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 5000)
  }

  /** The verdict; there is one once every batch was taken. */
  get result(): StatementResult {
    if (!this.outcome) throw new Error('the statement has not been read to its end yet')
    return this.outcome
  }

  [Symbol.asyncIterator](): AsyncIterator<StatementLine[]> {
    return this.run()
  }

  private async *run(): AsyncGenerator<StatementLine[]> {
    const tally = new Tally()
    let outcome: FormatOutcome | null = null
    let error: StatementError | null = null
    let hash: StatementHash | null = null
    try {
      const head = await this.source.read(0, 4)
      if (looksLikeZip(head)) outcome = yield* this.fromZip(tally)
      else ({ outcome, error, hash } = yield* this.fromStream(tally))
    } catch (err) {
      if (!(err instanceof StatementError)) throw err
      error = err
    } finally {
      await this.source.close()
    }
    if (!error && outcome) error = bindingFailure(outcome.checks)
    if (outcome) tally.totals.netE5 = outcome.netE5
    this.outcome = {
      status: error ? 'failed' : 'parsed',
      format: tally.format,
      channel: tally.channel,
      layout: outcome?.layout ?? null,
      encoding: tally.encoding,
      fileName: this.source.name,
      entries: tally.entries,
      account: outcome?.account ?? null,
      billDate: outcome?.billDate ?? null,
      window: outcome?.window ?? null,
      exportedAt: outcome?.exportedAt ?? null,
      integrity: error
        ? NOT_ABOUT_INTEGRITY.has(error.reason)
          ? 'unavailable'
          : 'mismatch'
        : (outcome?.integrity ?? 'unavailable'),
      checks: outcome?.checks ?? [],
      notices: [...tally.notices, ...(outcome?.notices ?? [])],
      totals: tally.totals,
      hash,
      refusal: error?.toRefusal() ?? null,
    }
  }

  /** A plain or gzipped file: WeChat's bills (hashed as they pass), an extracted Alipay or UnionPay file. */
  private async *fromStream(
    tally: Tally,
  ): AsyncGenerator<
    StatementLine[],
    { outcome: FormatOutcome | null; error: StatementError | null; hash: StatementHash | null }
  > {
    const gz = looksLikeGzip(await this.source.read(0, 2))
    const expected = this.options.expectedSha1
    const digest = expected !== undefined ? new BillDigest() : null
    let bytes: AsyncIterable<Buffer> = this.source.stream()
    if (gz) bytes = gunzipDamaged(gunzipStream(bytes))
    if (digest) bytes = digest.tap(bytes)
    const name = gz ? this.source.name.replace(/\.gz$/i, '') : this.source.name
    let outcome: FormatOutcome | null = null
    let error: StatementError | null = null
    let peeked: PeekedStream | null = null
    try {
      peeked = await PeekedStream.open(bytes, HEAD_BYTES)
      const format = sniffStatement(peeked.head, peeked.whole, name)
      outcome = yield* this.parse(format, peeked, name, tally)
    } catch (err) {
      if (!(err instanceof StatementError)) throw err
      error = err
    }
    let hash: StatementHash | null = null
    if (digest && expected !== undefined) {
      // The digest is complete only when every byte went through, read or not (wechatpay-java#384).
      await peeked?.drain()
      hash = digest.verdict(expected, gz ? await sha1Of(this.source.stream()) : null)
      if (hash.matchedOn === null) error = hashMismatch(hash)
    }
    await peeked?.close()
    return { outcome, error, hash }
  }

  /** Alipay's zip (detail and summary entries) or UnionPay's (an INN…ZM_ entry). */
  private async *fromZip(tally: Tally): AsyncGenerator<StatementLine[], FormatOutcome> {
    const entries = await readZipDirectory(this.source)
    const found: Array<{ entry: ZipEntry; format: SniffedFormat }> = []
    let firstRefusal: StatementError | null = null
    for (const entry of entries) {
      const zm = unionpayName(entry.name)
      if (entry.name.endsWith('/') || zm?.errorFile) continue
      // Inside UnionPay's zip the name is the channel's own word (an empty file is a day without lines).
      if (zm) {
        found.push({ entry, format: 'unionpay_zm' })
        continue
      }
      if (entry.size === 0) continue
      const head = await entryHead(this.source, entry)
      try {
        found.push({ entry, format: sniffStatement(head, head.length >= entry.size, entry.name) })
      } catch (err) {
        if (!(err instanceof StatementError)) throw err
        firstRefusal ??= err
      }
    }
    const details = found.filter(
      (f) => f.format === 'alipay_detail' || f.format === 'wechat_trade' || f.format === 'unionpay_zm',
    )
    const summaries = found.filter((f) => f.format === 'alipay_summary')
    const names = entries.map((e) => e.name).join(', ') || '—'
    if (details.length > 1)
      throw new StatementError(
        'bad_archive',
        'statement.zipManyBills',
        { entries: details.map((d) => d.entry.name).join(', ') },
        null,
      )
    const main = details[0]
    if (!main) {
      if (summaries.length) throw new StatementError('unknown_format', 'statement.alipaySummaryOnly', {}, 1)
      throw (
        firstRefusal ?? new StatementError('unknown_format', 'statement.zipNoBill', { entries: names }, null)
      )
    }
    let summary: AlipaySummaryTotals | null = null
    const summaryEntry = main.format === 'alipay_detail' ? summaries[0]?.entry : undefined
    if (summaryEntry) summary = await this.readSummary(summaryEntry, tally)
    tally.entries = summaryEntry ? [main.entry.name, summaryEntry.name] : [main.entry.name]
    const peeked = await PeekedStream.open(zipEntryStream(this.source, main.entry), HEAD_BYTES)
    try {
      return yield* this.parse(main.format, peeked, main.entry.name, tally, summary, main.entry.name)
    } catch (err) {
      if (err instanceof StatementError) err.entry ??= main.entry.name
      throw err
    } finally {
      await peeked.close()
    }
  }

  /** The summary file decides nothing (A10: the detail's footers do); a damaged one is a notice. */
  private async readSummary(entry: ZipEntry, tally: Tally): Promise<AlipaySummaryTotals | null> {
    const parser = new AlipaySummaryParser(entry.name)
    try {
      const peeked = await PeekedStream.open(zipEntryStream(this.source, entry), HEAD_BYTES)
      try {
        for await (const lines of textLines(peeked.chunks(), detectEncoding(peeked.head, peeked.whole)))
          for (const l of lines) parser.line(l.no, l.value)
      } finally {
        await peeked.close()
      }
      return parser.finish()
    } catch (err) {
      if (!(err instanceof StatementError)) throw err
      const zh = statementText(err.messageId, err.params, 'zh')
      tally.notices.push({
        messageId: 'statement.summaryFileUnreadable',
        params: { detail: err.message },
        zh: statementText('statement.summaryFileUnreadable', { detail: zh }, 'zh'),
        en: statementText('statement.summaryFileUnreadable', { detail: err.message }, 'en'),
      })
      return null
    }
  }

  private async *parse(
    format: SniffedFormat,
    peeked: PeekedStream,
    name: string,
    tally: Tally,
    summary: AlipaySummaryTotals | null = null,
    entry: string | null = null,
  ): AsyncGenerator<StatementLine[], FormatOutcome> {
    if (format === 'alipay_summary')
      throw new StatementError('unknown_format', 'statement.alipaySummaryOnly', {}, 1)
    const statementFormat: StatementFormat =
      format === 'alipay_detail' ? 'alipay_trade' : format === 'wechat_trade' ? 'wechat_trade' : 'unionpay_zm'
    const channel = CHANNEL_OF[statementFormat]
    const want = this.options.channel
    if (want !== undefined && want !== channel)
      throw new StatementError(
        'account_mismatch',
        'statement.channelMismatch',
        {
          foundZh: CHANNEL_NAMES[channel].zh,
          foundEn: CHANNEL_NAMES[channel].en,
          expectedZh: CHANNEL_NAMES[want].zh,
          expectedEn: CHANNEL_NAMES[want].en,
        },
        1,
      )
    tally.format = statementFormat
    tally.channel = channel
    const account = this.options.account ?? null
    if (format === 'unionpay_zm') {
      tally.encoding = 'gb18030'
      const named = unionpayName(name)
      const settleDate = named?.settleDate ?? this.options.settleDate
      if (!settleDate) throw new StatementError('bad_layout', 'statement.unionpayNoDate', {}, 1)
      if (named && account !== null && named.merId !== account)
        throw new StatementError(
          'account_mismatch',
          'statement.accountMismatch',
          { found: named.merId, expected: account, line: 1 },
          1,
        )
      const parser = new UnionpayZmParser(settleDate, named?.merId ?? null)
      yield* this.feed(byteLines(peeked.chunks()), parser, tally)
      return parser.finish()
    }
    const encoding = detectEncoding(peeked.head, peeked.whole)
    tally.encoding = encoding
    const parser =
      format === 'alipay_detail'
        ? new AlipayDetailParser(entry, summary, account)
        : new WechatTradeParser(account)
    yield* this.feed(textLines(peeked.chunks(), encoding), parser, tally)
    return parser.finish()
  }

  private async *feed<T>(
    lines: AsyncIterable<Array<{ no: number; value: T }>>,
    parser: LineParser<T>,
    tally: Tally,
  ): AsyncGenerator<StatementLine[]> {
    let batch: StatementLine[] = []
    for await (const chunk of lines) {
      for (const l of chunk) {
        const line = parser.line(l.no, l.value)
        if (line === null) continue
        tally.count(line)
        batch.push(line)
        if (batch.length >= this.batchSize) {
          yield batch
          batch = []
        }
      }
    }
    if (batch.length) yield batch
  }
}

/** The first bytes of an entry (enough for its first line), read without inflating the rest. */
async function entryHead(src: ByteSource, entry: ZipEntry): Promise<Buffer> {
  const parts: Buffer[] = []
  let length = 0
  for await (const chunk of zipEntryStream(src, entry)) {
    parts.push(chunk)
    length += chunk.length
    if (length >= 4096) break
  }
  return Buffer.concat(parts)
}

async function* gunzipDamaged(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* src
  } catch (err) {
    if (!isZlibError(err)) throw err
    throw new StatementError('bad_archive', 'statement.gzipDamaged', { detail: (err as Error).message }, null)
  }
}

export function readStatement(source: ByteSource, options: ReadStatementOptions = {}): StatementReading {
  return new StatementReading(source, options)
}

/** Reads every line into memory: for small files and tests; the pipeline stores batches instead. */
export async function readStatementLines(
  source: ByteSource,
  options: ReadStatementOptions = {},
): Promise<{ lines: StatementLine[]; result: StatementResult }> {
  const reading = readStatement(source, options)
  const lines: StatementLine[] = []
  for await (const batch of reading) lines.push(...batch)
  return { lines, result: reading.result }
}
