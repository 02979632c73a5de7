import iconv from 'iconv-lite'
import zlib from 'node:zlib'
import { expect } from 'vitest'
import { isMessageId, MESSAGES } from '../../src/shared/messages'
import type { ReadStatementOptions } from '../../src/main/files/statement/statement'
import type { StatementLine, StatementResult } from '../../src/main/files/statement/types'
import {
  alipayBillZip,
  alipayDetailText,
  type AlipayBillRow,
} from '../../src/main/gateways/simulator/bills/alipay'
import { unionpayBill, unionpayZmFile } from '../../src/main/gateways/simulator/bills/unionpay'
import { wechatBillDownload, type WechatBillOptions } from '../../src/main/gateways/simulator/bills/wechat'
import { zipArchive } from '../../src/main/gateways/simulator/bills/zip'
import { decodeUnionpayFileContent } from '../../src/main/files/statement/unionpay-content'
import { rng, type Rng } from './prng'
import { bj, readBytes } from './statements'

// A fuzzer over the statement parsers (docs/reconcile.md A5, A10): files written by the simulator's
// writers, then damaged as text (a cell, a line, a status word, a backtick, a comma, a cut), as
// bytes (bits flipped, the archive cut), re-encoded, or replaced by noise. For every input, the
// reader either refuses it — a known reason, a sentence in both languages, the line (null only for
// the whole file) — or accepts it, and then every line is the undamaged file's line with the same
// text, or its money is exactly what its own damaged text says (read here independently: split and
// decimal strings for Alipay and WeChat, GBK byte offsets for UnionPay), and a line that became
// `other` is reported. Never a crash, never a hang, never silently different money.

type Channel = 'alipay' | 'wechat' | 'unionpay'

export interface StatementFuzzOptions {
  seed: number
  /** Inputs per channel. */
  cases: number
  guardMs?: number
}

export interface StatementFuzzReport {
  cases: number
  parsed: number
  refused: number
  /** Accepted inputs with lines whose text the damage changed (each checked against its own text). */
  changedLines: number
  byReason: Record<string, number>
  byDamage: Record<string, number>
}

/** A file of a channel before damage, and how to build the same file around other content. */
interface Base {
  channel: Channel
  name: string
  bytes: Buffer
  options: ReadStatementOptions
  /** The main entry's content: text for Alipay and WeChat, bytes for UnionPay. */
  content: string | Buffer
  /** The whole file again around other content (the same container, encoding and companion entries). */
  pack(content: string | Buffer): Buffer
}

interface Input {
  damage: string
  bytes: Buffer
  /** The damaged content when it is known; null: only the container was damaged. */
  content: string | Buffer | null
  ops: number
}

const REASONS = new Set([
  'unknown_format',
  'hash_mismatch',
  'summary_mismatch',
  'summary_missing',
  'column_count',
  'bad_amount',
  'damaged_number',
  'missing_backtick',
  'trailing_garbage',
  'bad_time',
  'missing_column',
  'bad_layout',
  'bad_encoding',
  'bad_archive',
  'account_mismatch',
])
/** Refusals about the whole file, which no line can name. */
const WHOLE_FILE = new Set(['hash_mismatch', 'bad_archive'])

let serial = 0

function trades(r: Rng, channel: Channel): Array<AlipayBillRow & WechatBillOptions['rows'][number]> {
  const day = bj('2026-10-03 00:00:00')
  const n = r.range(0, 25)
  const out = []
  for (let i = 0; i < n; i++) {
    const no = `FZ${r.seed % 997}n${++serial}`
    const kind = r.chance(0.65) ? 'pay' : channel !== 'alipay' && r.chance(0.15) ? 'revoke' : 'refund'
    out.push({
      kind: kind as 'pay' | 'refund' | 'revoke',
      orderNo: no,
      refundNo: kind === 'refund' ? `R${no}` : undefined,
      amount: r.pick([1, 29, 100, 3580, r.range(1, 99_999_999)]),
      time: day + r.int(86_400) * 1000,
      payTime: day - r.int(9) * 86_400_000,
      feeE5: r.chance(0.4) ? 0 : r.range(-300, 3000) * (channel === 'wechat' ? r.pick([1, 10, 1000]) : 1000),
      gatewayTradeNo: `42${String(r.int(1e9)).padStart(9, '0')}${serial}`,
      gatewayRefundNo: kind === 'refund' ? `503${serial}` : undefined,
      subject: r.pick(['咖啡', 'Tea #1', '商品名称', 'x']),
      subMerName: r.pick(['', '洗衣店一号', 'ABC']),
      discount: channel === 'alipay' && kind === 'pay' && r.chance(0.2) ? 1 : undefined,
    })
  }
  return out
}

function base(r: Rng, channel: Channel): Base {
  if (channel === 'alipay') {
    const o = {
      pid: '2088000000000156',
      date: '2026-10-03',
      exportedAt: bj('2026-10-04 05:00:00'),
      rows: trades(r, 'alipay'),
      eol: r.pick(['\n', '\r\n'] as const),
    }
    const text = alipayDetailText(o)
    if (r.chance(0.6)) {
      const bill = alipayBillZip(o)
      return {
        channel,
        name: bill.name,
        bytes: bill.zip,
        options: {},
        content: text,
        pack: (t) =>
          zipArchive([
            { name: bill.entries[0]!, data: iconv.encode(t as string, 'gbk'), mtime: o.exportedAt },
            { name: bill.entries[1]!, data: bill.summary, mtime: o.exportedAt },
          ]),
      }
    }
    return {
      channel,
      name: '2088000000000156_20261003_业务明细.csv',
      bytes: iconv.encode(text, 'gbk'),
      options: { channel: 'alipay' },
      content: text,
      pack: (t) => iconv.encode(t as string, 'gbk'),
    }
  }
  if (channel === 'wechat') {
    const billType = r.pick(['ALL', 'SUCCESS', 'REFUND'] as const)
    const o: WechatBillOptions = {
      mchid: '1900000001',
      billType,
      legacy: billType === 'ALL' && r.chance(0.25),
      rows: trades(r, 'wechat'),
      bom: r.chance(0.4),
      eol: r.pick(['\n', '\r\n'] as const),
    }
    const gzip = r.chance(0.5)
    const bill = wechatBillDownload(o, { gzip })
    const hashed = r.chance(0.3)
    const text = bill.file.toString('utf8')
    return {
      channel,
      name: gzip ? 'bill.csv.gz' : 'bill.csv',
      bytes: bill.body,
      options: hashed ? { expectedSha1: bill.hashValue } : { account: '1900000001' },
      content: text,
      pack: (t) => {
        const file = Buffer.from(t as string, 'utf8')
        return gzip ? zlib.gzipSync(file) : file
      },
    }
  }
  const o = { merId: '898000000000001', settleDate: '2026-10-03', rows: trades(r, 'unionpay') }
  const zm = unionpayZmFile(o)
  if (r.chance(0.5)) {
    const bill = unionpayBill(o)
    return {
      channel,
      name: bill.fileName,
      bytes: decodeUnionpayFileContent(bill.fileContent),
      options: { account: '898000000000001' },
      content: zm,
      pack: (b) => zipArchive([{ name: bill.entryName, data: b as Buffer, mtime: 0 }]),
    }
  }
  return {
    channel,
    name: 'INN26100388ZM_898000000000001',
    bytes: zm,
    options: {},
    content: zm,
    pack: (b) => b as Buffer,
  }
}

const JUNK = [
  '"',
  ',',
  '`',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '\u0000',
  '\uFEFF',
  '😀',
  '，',
  '：',
  '#',
  '４',
  '-',
  '.',
  ' ',
  'E+5',
]
const STATUS_WORDS: Array<[string, string[]]> = [
  ['SUCCESS', ['SUCCES', 'REFUND', 'REVOKED', '__proto__', 'success']],
  ['REFUND', ['REFUNDED', 'SUCCESS', 'constructor']],
  ['交易', ['交 易', '退款', '冻结']],
  ['退款', ['退 款', '交易']],
  [' 01 ', [' 02 ', ' 04 ', ' 31 ']],
  [' 04 ', [' 01 ', ' 99 ']],
]

function lineSplit(s: string): string[] {
  return s.split('\n')
}

/** Text damage: small, local edits of the kinds people and transfers make. */
function damageText(r: Rng, text: string, ops: number): { text: string; kinds: string[] } {
  let s = text
  const kinds: string[] = []
  for (let i = 0; i < ops; i++) {
    const at = r.int(s.length + 1)
    const kind = r.int(14)
    switch (kind) {
      case 0:
        s = s.slice(0, at) + r.pick(JUNK) + s.slice(at)
        break
      case 1:
        s = s.slice(0, at) + s.slice(at + r.range(1, 8))
        break
      case 2:
        s = s.slice(0, at)
        break
      case 3: {
        const lines = lineSplit(s)
        const k = r.int(lines.length)
        lines.splice(k, 0, lines[k] ?? '')
        s = lines.join('\n')
        break
      }
      case 4: {
        const lines = lineSplit(s)
        lines.splice(r.int(lines.length), 1)
        s = lines.join('\n')
        break
      }
      case 5: {
        const lines = lineSplit(s)
        const a = r.int(lines.length)
        const b = r.int(lines.length)
        ;[lines[a], lines[b]] = [lines[b]!, lines[a]!]
        s = lines.join('\n')
        break
      }
      case 6: {
        // One digit for another: the damage a checksum exists for.
        const digits = [...s.matchAll(/\d/g)]
        if (digits.length) {
          const d = r.pick(digits)
          s = s.slice(0, d.index) + String((Number(d[0]) + r.range(1, 9)) % 10) + s.slice(d.index! + 1)
        }
        break
      }
      case 7: {
        const ticks = [...s.matchAll(/`/g)]
        if (ticks.length) {
          const t = r.pick(ticks)
          s = s.slice(0, t.index) + s.slice(t.index! + 1)
        }
        break
      }
      case 8:
        s = s.slice(0, at) + ',' + s.slice(at)
        break
      case 9: {
        const [word, variants] = r.pick(STATUS_WORDS)
        const found = s.indexOf(word, r.int(Math.max(1, s.length)))
        const i2 = found >= 0 ? found : s.indexOf(word)
        if (i2 >= 0) s = s.slice(0, i2) + r.pick(variants) + s.slice(i2 + word.length)
        break
      }
      case 10: {
        const runs = [...s.matchAll(/\d{12,}/g)]
        if (runs.length) {
          const run = r.pick(runs)
          s = s.slice(0, run.index) + '4.2E+27' + s.slice(run.index! + run[0].length)
        }
        break
      }
      case 11: {
        const lines = lineSplit(s)
        const k = r.int(lines.length)
        lines[k] = '#' + lines[k]
        s = lines.join('\n')
        break
      }
      case 12:
        s = s.slice(0, at) + r.pick(['\n', '\r\n', '\r']) + s.slice(at)
        break
      default:
        s = s.slice(0, at) + String.fromCharCode(r.range(0x20, 0x3000)) + s.slice(at)
    }
    kinds.push(`t${kind}`)
  }
  return { text: s, kinds }
}

/** Byte damage of a UnionPay file, which has no text to edit: within lines, and of whole lines. */
function damageZm(r: Rng, zm: Buffer, ops: number): { bytes: Buffer; kinds: string[] } {
  let b = Buffer.from(zm)
  const kinds: string[] = []
  for (let i = 0; i < ops; i++) {
    const at = r.int(b.length + 1)
    const kind = r.int(8)
    switch (kind) {
      case 0:
        b = Buffer.concat([b.subarray(0, at), Buffer.from([r.int(256)]), b.subarray(at)])
        break
      case 1:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + r.range(1, 5))])
        break
      case 2:
        b = b.subarray(0, at)
        break
      case 3: {
        // A digit for another, where there are digits.
        const digits = [...b.entries()].filter(([, v]) => v >= 0x30 && v <= 0x39).map(([k]) => k)
        if (digits.length) b[r.pick(digits)] = 0x30 + r.int(10)
        break
      }
      case 4: {
        const lines = b.toString('latin1').split('\r\n')
        const k = r.int(lines.length)
        if (r.chance(0.5)) lines.splice(k, 0, lines[k] ?? '')
        else lines.splice(k, 1)
        b = Buffer.from(lines.join('\r\n'), 'latin1')
        break
      }
      case 5: {
        const text = b.toString('latin1')
        const [word, variants] = r.pick(STATUS_WORDS.slice(4))
        const found = text.indexOf(word, r.int(Math.max(1, text.length)))
        if (found >= 0) b.write(r.pick(variants), found, 'latin1')
        break
      }
      case 6:
        if (b.length) b[r.int(b.length)] = r.pick([0x20, 0x43, 0x44, 0xb4, 0x0a])
        break
      default:
        // A Chinese name written by a character-counting writer: the line gets longer.
        b = Buffer.concat([b.subarray(0, at), iconv.encode('店', 'gbk'), b.subarray(at)])
    }
    kinds.push(`z${kind}`)
  }
  return { bytes: b, kinds }
}

function flipBytes(r: Rng, buf: Buffer): Buffer {
  const b = Buffer.from(buf)
  const n = r.range(1, 6)
  for (let i = 0; i < n && b.length; i++) b[r.int(b.length)]! ^= 1 << r.int(8)
  return r.chance(0.3) ? b.subarray(0, r.int(b.length + 1)) : b
}

function damage(r: Rng, b: Base): Input {
  const choice = r.int(10)
  const ops = r.range(1, 4)
  if (choice < 6) {
    if (typeof b.content === 'string') {
      const d = damageText(r, b.content, ops)
      return { damage: d.kinds.join('+'), bytes: b.pack(d.text), content: d.text, ops }
    }
    const d = damageZm(r, b.content, ops)
    return { damage: d.kinds.join('+'), bytes: b.pack(d.bytes), content: d.bytes, ops }
  }
  if (choice < 8) return { damage: 'bytes', bytes: flipBytes(r, b.bytes), content: null, ops: 6 }
  if (choice < 9 && typeof b.content === 'string') {
    // The same text in the other encoding: the same lines must come out.
    const other = b.channel === 'alipay' ? Buffer.from(b.content, 'utf8') : iconv.encode(b.content, 'gb18030')
    const bytes = b.channel === 'wechat' && b.name.endsWith('.gz') ? zlib.gzipSync(other) : other
    const plain = b.channel === 'alipay' ? bytes : bytes
    return {
      damage: 're-encoded',
      bytes: b.name.endsWith('.zip') ? b.pack(b.content) : plain,
      content: b.content,
      ops: 0,
    }
  }
  const noise = Buffer.alloc(r.pick([0, 1, 3, 4, 22, 600, 5000]))
  for (let i = 0; i < noise.length; i++) noise[i] = r.int(256)
  if (noise.length >= 4 && r.chance(0.3)) noise.write('PK\u0003\u0004', 0, 'latin1')
  return { damage: 'noise', bytes: noise, content: null, ops: 1 }
}

/** Runs `work` with a hang guard: it turns a hang into a named failure, it times nothing. */
async function guarded<T>(what: string, work: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

// ---- the independent readings of a damaged line -----------------------------------------------

/** A decimal text in units of 10^-scale, by string arithmetic only; null when it is not one. */
function decimal(text: string, scale: number): number | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)
  if (!m || (m[3] ?? '').length > scale) return null
  const v = Number(m[2]! + (m[3] ?? '').padEnd(scale, '0'))
  return m[1] === '-' && v !== 0 ? -v : v
}

interface Money {
  kind: string
  amount: number | null
  settle: number | null
  fee: number | null
}

function headerOf(content: string, channel: Channel): string[] {
  const lines = content
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
  if (channel === 'wechat') {
    const first = lines.find((l) => l.trim() !== '')!
    return first.split(',').map((c) => c.trim())
  }
  // The first line after the start marker that is neither blank nor a comment.
  const start = lines.findIndex((l) => /^#-+业务明细列表-+$/.test(l.trim()))
  const header = lines.slice(start + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'))!
  return header
    .split(',')
    .map((c) => c.trim().replace(/\t$/, '').trim().replaceAll('（', '(').replaceAll('）', ')'))
}

function textMoney(raw: string, header: string[], channel: Channel): Money {
  const cells = raw.split(',')
  const get = (name: string) => {
    const i = header.indexOf(name)
    if (i < 0) return ''
    const c = cells[i] ?? ''
    return channel === 'wechat'
      ? c.slice(1)
      : c
          .replace(/^ +| +$/g, '')
          .replace(/\t$/, '')
          .replace(/ +$/, '')
  }
  if (channel === 'wechat') {
    const legacy = header.includes('总金额') && !header.includes('订单金额')
    const status = get('交易状态').trim()
    const kind =
      status === 'SUCCESS'
        ? 'pay'
        : status === 'REFUND'
          ? 'refund'
          : status === 'REVOKED'
            ? 'revoke'
            : 'other'
    const order = legacy ? '总金额' : '订单金额'
    return {
      kind,
      amount: decimal(get(kind === 'refund' ? (legacy ? '退款金额' : '申请退款金额') : order), 2),
      settle:
        kind === 'refund'
          ? -(decimal(get('退款金额'), 2) ?? NaN) || 0
          : decimal(get(legacy ? '总金额' : '应结订单金额'), 2),
      fee: decimal(get('手续费'), 5),
    }
  }
  const type = get('业务类型')
  const amount = decimal(get('订单金额(元)'), 2)
  return {
    kind: type === '交易' ? 'pay' : type === '退款' ? 'refund' : 'other',
    amount: amount === null ? null : Math.abs(amount),
    settle: decimal(get('商家实收(元)'), 2),
    fee: decimal(get('服务费(元)'), 5),
  }
}

function zmMoney(line: Buffer): Money {
  const field = (offset: number, width: number) =>
    line
      .subarray(offset, offset + width)
      .toString('latin1')
      .trim()
  const signed = (text: string) => {
    const m = /^([CD]?)(\d+)$/.exec(text)
    if (!m) return text === '' ? 0 : null
    const v = Number(m[2])
    return m[1] === 'D' && v !== 0 ? -v : v
  }
  const type = field(215, 2)
  const fee = signed(field(166, 13))
  return {
    kind: type === '01' ? 'pay' : type === '04' ? 'refund' : type === '31' ? 'revoke' : 'other',
    amount: signed(field(66, 12)),
    settle: signed(field(180, 13)),
    fee: fee === null ? null : fee * 1000,
  }
}

function zmLineBytes(zm: Buffer, no: number): Buffer {
  let start = 0
  for (let k = 1; k < no; k++) start = zm.indexOf(10, start) + 1
  const nl = zm.indexOf(10, start)
  const line = zm.subarray(start, nl < 0 ? zm.length : nl)
  return line[line.length - 1] === 13 ? line.subarray(0, -1) : line
}

function physicalLines(content: string | Buffer | null): number {
  if (content === null) return Infinity
  let n = 1
  if (typeof content === 'string')
    for (let i = content.indexOf('\n'); i >= 0; i = content.indexOf('\n', i + 1)) n++
  else for (const b of content) if (b === 10) n++
  return n
}

function checkRefusal(result: StatementResult, input: Input, where: string): void {
  const f = result.refusal!
  expect(REASONS.has(f.reason), `${where}: reason ${f.reason}`).toBe(true)
  expect(
    isMessageId(f.messageId) && f.messageId.startsWith('statement.'),
    `${where}: message ${f.messageId}`,
  ).toBe(true)
  expect(f.zh.trim().length, where).toBeGreaterThan(4)
  expect(f.en.trim().length, where).toBeGreaterThan(8)
  // Every placeholder of the sentence is filled. The filled sentence itself may hold braces: it quotes
  // the file's own bytes, and random noise once quoted `{_}`.
  if (isMessageId(f.messageId))
    for (const [, name] of MESSAGES[f.messageId].zh.matchAll(/\{(\w+)\}/g))
      expect(f.params, `${where}: {${name}} left unfilled`).toHaveProperty([name!])
  if (f.line === null)
    expect(
      WHOLE_FILE.has(f.reason) || f.messageId === 'statement.zipNoBill',
      `${where}: ${f.reason} without a line`,
    ).toBe(true)
  else {
    expect(Number.isInteger(f.line) && f.line >= 1, `${where}: line ${f.line}`).toBe(true)
    expect(f.line, where).toBeLessThanOrEqual(physicalLines(input.content) + 1)
  }
  expect(result.integrity, where).not.toBe('ok')
}

function checkAccepted(
  b: Base,
  baseline: StatementLine[],
  result: StatementResult,
  lines: StatementLine[],
  input: Input,
  where: string,
): number {
  expect(result.refusal, where).toBeNull()
  expect(
    result.checks.every((c) => !c.binding || c.ok),
    where,
  ).toBe(true)
  const byRaw = new Map<string, StatementLine>()
  for (const l of baseline) byRaw.set(l.raw, l)
  let changed = 0
  let content = input.content
  if (Buffer.isBuffer(content) && b.channel !== 'unionpay') content = null
  if (
    content === null &&
    input.damage === 'bytes' &&
    typeof b.content === 'string' &&
    !/\.(zip|gz)$/.test(b.name)
  )
    // Bytes of a plain file were damaged and still read: read them again the same way.
    content = new TextDecoder(result.encoding ?? 'utf-8').decode(input.bytes)
  if (content === null && b.channel === 'unionpay' && !b.name.endsWith('.zip')) content = input.bytes
  const header = typeof content === 'string' ? headerOf(content, b.channel) : null
  const renamed = result.notices.some((n) => n.messageId === 'statement.unknownColumns')
  for (const l of lines) {
    const same = byRaw.get(l.raw)
    if (same) {
      // The file's own account (Alipay's #账号 line) may be what the damage hit; the caller that
      // knows the profile's account refuses that (account_mismatch), and every line says it.
      const account = b.channel === 'alipay' ? result.account : same.account
      if (renamed) {
        // A header name the damage changed is reported; its column is no longer read (a time, a
        // key), but the money columns are required by name, so the money stays the same.
        expect([l.kind, l.amount, l.settleAmount, l.feeE5], where).toEqual([
          same.kind,
          same.amount,
          same.settleAmount,
          same.feeE5,
        ])
        continue
      }
      expect({ ...l, lineNo: 0 }, `${where}: line ${l.lineNo} reads as the undamaged one`).toEqual({
        ...same,
        account,
        lineNo: 0,
      })
      continue
    }
    changed += 1
    // A line the damage changed: its money is what its own text says, never more, never less.
    expect(content, `${where}: line ${l.lineNo} changed inside an archive whose checks passed`).not.toBeNull()
    const m =
      b.channel === 'unionpay'
        ? zmMoney(zmLineBytes(content as Buffer, l.lineNo))
        : textMoney(l.raw, header!, b.channel)
    expect(
      [l.kind, l.amount, l.settleAmount, l.feeE5],
      `${where}: line ${l.lineNo} ${JSON.stringify(l.raw)}`,
    ).toEqual([m.kind, m.amount, m.settle, m.fee])
  }
  expect(changed, `${where}: lines changed by ${input.ops} edits`).toBeLessThanOrEqual(
    Math.max(2 * input.ops, 0),
  )
  const others = lines.filter((l) => l.kind === 'other').length
  if (others > baseline.filter((l) => l.kind === 'other').length)
    expect(
      result.notices.some((n) => n.messageId === 'statement.unexpectedValue'),
      `${where}: a line became other without a word`,
    ).toBe(true)
  if (b.channel !== 'unionpay') {
    // The totals count the rows: none may go missing or appear. Alipay's footers count the 交易 and
    // 退款 rows (a row whose type no longer reads is listed as other, with the notice checked
    // above); WeChat's 总交易单数 counts every row.
    const count = (ls: StatementLine[]) =>
      b.channel === 'alipay' ? ls.filter((l) => l.kind !== 'other').length : ls.length
    expect(count(lines), `${where}: lines`).toBe(count(baseline))
  }
  return changed
}

export async function runStatementFuzz(o: StatementFuzzOptions): Promise<StatementFuzzReport> {
  const report: StatementFuzzReport = {
    cases: 0,
    parsed: 0,
    refused: 0,
    changedLines: 0,
    byReason: {},
    byDamage: {},
  }
  const r = rng(o.seed)
  serial = 0
  for (const channel of ['alipay', 'wechat', 'unionpay'] as const) {
    for (let i = 0; i < o.cases; i++) {
      const b = base(r, channel)
      const undamaged = await readBytes(b.bytes, b.name, b.options)
      expect(undamaged.result.refusal, `${channel} base ${i}`).toBeNull()
      const input = damage(r, b)
      const where = `${channel} case ${i} (${input.damage}, seed ${o.seed})`
      // FUZZ_DEBUG=<channel><case> (e.g. alipay33) prints the content before and after the damage.
      if (process.env.FUZZ_DEBUG === `${channel}${i}`)
        console.log(JSON.stringify(b.content), '\n---\n', JSON.stringify(input.content))
      const { lines, result } = await guarded(
        where,
        () => readBytes(input.bytes, b.name, b.options),
        o.guardMs ?? 20_000,
      )
      report.cases += 1
      report.byDamage[input.damage.replace(/\d+/g, '')] =
        (report.byDamage[input.damage.replace(/\d+/g, '')] ?? 0) + 1
      if (result.status === 'failed') {
        report.refused += 1
        report.byReason[result.refusal!.reason] = (report.byReason[result.refusal!.reason] ?? 0) + 1
        checkRefusal(result, input, where)
      } else {
        report.parsed += 1
        report.changedLines += checkAccepted(b, undamaged.lines, result, lines, input, where)
      }
    }
  }
  return report
}
