import crypto from 'node:crypto'
import fs from 'node:fs'
import { once } from 'node:events'
import zlib from 'node:zlib'
import iconv from 'iconv-lite'
import {
  alipayDetailHead,
  alipayDetailRow,
  alipayDetailTail,
  alipaySummaryText,
  type AlipayBillOptions,
  type AlipayBillRow,
} from '../src/main/gateways/simulator/bills/alipay'
import {
  wechatBillHeader,
  wechatBillRow,
  wechatBillSummary,
  type WechatBillOptions,
  type WechatBillRow,
} from '../src/main/gateways/simulator/bills/wechat'
import { ZipStream } from '../src/main/gateways/simulator/bills/zip'
import { parseBeijing } from '../src/shared/time'

// Statement files of any size, written to disk as they are generated (the generating process never
// holds the file either): trades follow from their index, so the totals are a second pass over the
// same generator. For the reconciliation figures of the benchmark (./reconcile.ts) and the parsers'
// memory test (tests/files/statement-memory.test.ts).

/** The day of every large bill, Beijing. */
export const LARGE_BILL_DATE = '2026-10-03'
const DAY = parseBeijing(`${LARGE_BILL_DATE} 00:00:00`)!

/** Trade `i` of a large day: four payments to one refund, amounts and fees varied, ids unique. */
export function* largeTrades(n: number): Generator<AlipayBillRow & WechatBillRow> {
  for (let i = 0; i < n; i++) {
    const refund = i % 5 === 4
    const no = `BIG${String(i - (refund ? 1 : 0)).padStart(9, '0')}`
    yield {
      kind: refund ? 'refund' : 'pay',
      orderNo: no,
      refundNo: refund ? `RF${no}` : undefined,
      amount: 100 + ((i * 7919) % 99_900),
      time: DAY + ((i * 37) % 86_400) * 1000,
      payTime: DAY - 86_400_000,
      feeE5: refund ? 0 : 1000 * ((i % 13) - 3),
      gatewayTradeNo: `4200${String(i).padStart(12, '0')}`,
      gatewayRefundNo: refund ? `5030${String(i).padStart(12, '0')}` : undefined,
      subject: i % 3 ? '商品名称' : 'Tea #1',
    }
  }
}

async function* chunksOf(
  lines: Iterable<string>,
  encode: (s: string) => Buffer,
  eol: string,
): AsyncGenerator<Buffer> {
  let batch: string[] = []
  for (const line of lines) {
    batch.push(line)
    if (batch.length === 5000) {
      yield encode(batch.join(eol) + eol)
      batch = []
    }
  }
  if (batch.length) yield encode(batch.join(eol) + eol)
}

async function pipeTo(file: string, chunks: AsyncIterable<Buffer>, gzip: boolean): Promise<void> {
  const out = fs.createWriteStream(file)
  const z = gzip ? zlib.createGzip() : null
  if (z) z.pipe(out)
  const target = z ?? out
  for await (const chunk of chunks) if (!target.write(chunk)) await once(target, 'drain')
  target.end()
  await once(out, 'close')
}

/** A WeChat ALL bill of `n` rows (gzipped when asked); returns its hash_value. */
export async function writeLargeWechatBill(file: string, n: number, gzip: boolean): Promise<string> {
  const o: WechatBillOptions = { mchid: '1900000001', rows: [] }
  const hash = crypto.createHash('sha1')
  function* lines(): Generator<string> {
    yield wechatBillHeader(o)
    for (const t of largeTrades(n)) yield wechatBillRow(o, t)
    yield* wechatBillSummary(o, largeTrades(n))
  }
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of chunksOf(lines(), (s) => Buffer.from(s, 'utf8'), '\n')) {
      hash.update(chunk)
      yield chunk
    }
  }
  await pipeTo(file, hashed(), gzip)
  return hash.digest('hex')
}

/** An Alipay bill zip of `n` detail rows, with its summary entry, written as Java would stream it. */
export async function writeLargeAlipayZip(file: string, n: number): Promise<void> {
  const o: AlipayBillOptions = {
    pid: '2088000000000156',
    date: '2026-10-03',
    exportedAt: DAY + 86_400_000,
    rows: [],
  }
  const out = fs.createWriteStream(file)
  const zip = new ZipStream(async (chunk) => {
    if (!out.write(chunk)) await once(out, 'drain')
  })
  function* detail(): Generator<string> {
    yield* alipayDetailHead(o)
    for (const t of largeTrades(n)) yield alipayDetailRow(t)
    yield* alipayDetailTail(o, largeTrades(n))
  }
  const gbk = (s: string) => iconv.encode(s, 'gbk')
  await zip.entry('2088000000000156_20261003_业务明细.csv', o.exportedAt, chunksOf(detail(), gbk, '\n'))
  await zip.entry('2088000000000156_20261003_业务明细(汇总).csv', o.exportedAt, [
    gbk(alipaySummaryText(o, largeTrades(n))),
  ])
  await zip.end()
  out.end()
  await once(out, 'close')
}
