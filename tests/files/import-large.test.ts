import fs from 'node:fs'
import iconv from 'iconv-lite'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectEncoding } from '../../src/main/files/import/encoding'
import { importFile } from '../../src/main/files/import/importer'
import { importErrors } from '../../src/main/store/imports'
import { findPayOrder } from '../../src/main/store/orders'
import { createWorld, type World } from '../helpers/world'

// A list large enough to span many reads and transactions (issue 4: a million rows in bounded
// memory; the bench measures that size, this checks the behaviour at a size a test can afford).

let w: World
beforeAll(async () => {
  w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
})
afterAll(async () => {
  await w.close()
})

const N = 50_000

/** The list, and what importing it must do: the lines of the bad rows, the repeated rows. */
function writeList(file: string) {
  const lines = ['orderNo,amountYuan,status,title,createdAt']
  const bad: number[] = []
  let repeated = 0
  let line = 1
  for (let i = 0; i < N; i++) {
    line += 1
    const no = `BIG${String(i).padStart(8, '0')}`
    if (i % 997 === 5) {
      bad.push(line)
      lines.push(`${no},abc,progress,,2026-11-20 10:00:00`)
    } else if (i % 5_000 === 17) {
      // The same order again, as a list exported twice over might have it.
      repeated += 1
      lines.push(`BIG${String(i - 1).padStart(8, '0')},${(i - 1) % 1000}.01,progress,t,2026-11-20 10:00:00`)
    } else if (i % 1_000 === 3) {
      // A title over two lines: every row after it starts a line further down.
      lines.push(`${no},1.00,成功,"two\r\nlines",2026-11-20 10:00:00`)
      line += 1
    } else {
      lines.push(`${no},${i % 1000}.01,progress,t,2026-11-${String((i % 28) + 1).padStart(2, '0')} 10:00:00`)
    }
  }
  fs.writeFileSync(file, lines.join('\n') + '\n')
  return { bad, repeated }
}

describe('a large list', () => {
  it('good rows go in, every bad row is rejected by its line, the same file again changes nothing', async () => {
    const file = path.join(w.dir, 'big.csv')
    const { bad, repeated } = writeList(file)
    const good = N - bad.length - repeated

    const preview = await importFile(w.ctx.db, file, { type: 'pay', dryRun: true })
    expect(preview).toMatchObject({ rows: N, inserted: good, duplicates: repeated, rejected: bad.length })
    expect(preview.errors.map((e) => e.line)).toEqual(bad)

    const progress: number[] = []
    const s = await importFile(w.ctx.db, file, {
      type: 'pay',
      maxErrorsInSummary: 10,
      onProgress: (n) => progress.push(n),
    })
    expect(s).toMatchObject({
      rows: N,
      inserted: good,
      updated: 0,
      unchanged: 0,
      duplicates: repeated,
      rejected: bad.length,
    })
    // The summary holds the first errors; the import run holds every one of them.
    expect(s.errors.map((e) => e.line)).toEqual(bad.slice(0, 10))
    expect(s.errors[0]).toMatchObject({ column: 'amountYuan', reason: expect.stringMatching(/"abc"/) })
    expect(importErrors(w.ctx.db, s.importId, N).map((e) => e.line)).toEqual(bad)
    expect(progress.at(-1)).toBe(N)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))

    const ali = w.merchantId('ali')
    expect(findPayOrder(w.ctx.db, ali, 'BIG00001003')).toMatchObject({
      title: 'two\r\nlines',
      status: 'success',
    })
    expect(findPayOrder(w.ctx.db, ali, 'BIG00049999')).toMatchObject({ amount: 99901, status: 'progress' })
    expect(findPayOrder(w.ctx.db, ali, 'BIG00000005')).toBeUndefined()

    const again = await importFile(w.ctx.db, file, { type: 'pay' })
    expect(again).toMatchObject({
      inserted: 0,
      updated: 0,
      unchanged: good,
      duplicates: repeated,
      rejected: bad.length,
    })
  })

  it('reads GB18030 and UTF-16 lists whose characters straddle the 64 KiB reads', async () => {
    const rows = ['商户订单号,金额(元),商品名称']
    for (let i = 0; i < 6_000; i++) rows.push(`ENC${i},1.00,商品名称${'中文标题'.repeat(i % 7)}`)
    const text = rows.join('\r\n') + '\r\n'
    const ali = w.merchantId('ali')
    for (const [encoding, prefix] of [
      ['gb18030', 'G'],
      ['utf-16le', 'L'],
    ] as const) {
      const file = path.join(w.dir, `enc-${encoding}.csv`)
      const bytes = iconv.encode(text.replaceAll('ENC', `${prefix}ENC`), encoding, {
        addBOM: encoding !== 'gb18030',
      })
      expect(bytes.length).toBeGreaterThan(3 * 65_536)
      fs.writeFileSync(file, bytes)
      const s = await importFile(w.ctx.db, file, { type: 'pay' })
      expect(s).toMatchObject({ encoding, rows: 6_000, inserted: 6_000, rejected: 0 })
      for (const i of [0, 1_234, 5_999])
        expect(findPayOrder(w.ctx.db, ali, `${prefix}ENC${i}`)!.title).toBe(
          `商品名称${'中文标题'.repeat(i % 7)}`,
        )
    }
  })

  it('tells UTF-8 from GB18030 when a character straddles the 1 MiB reads of the check', async () => {
    const file = path.join(w.dir, 'straddle.csv')
    for (let shift = 1; shift <= 3; shift++) {
      const head = Buffer.alloc((1 << 20) - shift, 'a')
      fs.writeFileSync(file, Buffer.concat([head, Buffer.from('中文\n')]))
      expect(await detectEncoding(file)).toBe('utf-8')
      fs.writeFileSync(file, Buffer.concat([head, iconv.encode('中文\n', 'gb18030')]))
      expect(await detectEncoding(file)).toBe('gb18030')
    }
    // A sequence cut short by the end of the file is not UTF-8.
    fs.writeFileSync(file, Buffer.concat([Buffer.from('abc'), Buffer.from('中').subarray(0, 2)]))
    expect(await detectEncoding(file)).toBe('gb18030')
  })

  it('names every trade of the file, new or not, with the same id each time', async () => {
    const file = path.join(w.dir, 'ids.csv')
    fs.writeFileSync(file, 'orderNo,amountFen\nIDS-1,100\nIDS-2,200\nIDS-1,100\n')
    const first: number[] = []
    await importFile(w.ctx.db, file, { type: 'pay', onTrade: (_, id) => first.push(id) })
    const second: number[] = []
    await importFile(w.ctx.db, file, { type: 'pay', onTrade: (_, id) => second.push(id) })
    const ali = w.merchantId('ali')
    const ids = ['IDS-1', 'IDS-2', 'IDS-1'].map((no) => findPayOrder(w.ctx.db, ali, no)!.id)
    expect(first).toEqual(ids)
    expect(second).toEqual(ids)
  })

  it('a status or channel spelled like an object property is unknown, not a crash', async () => {
    const file = path.join(w.dir, 'proto.csv')
    fs.writeFileSync(
      file,
      'orderNo,amountFen,status,channel\nPR-1,100,constructor,\nPR-2,100,__proto__,\nPR-3,100,,toString\nPR-4,100,progress,alipay\n',
    )
    const s = await importFile(w.ctx.db, file, { type: 'pay' })
    expect(s).toMatchObject({ inserted: 1, rejected: 3 })
    expect(s.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, expect.stringMatching(/status "constructor" is unknown/)],
      [3, expect.stringMatching(/status "__proto__" is unknown/)],
      [4, expect.stringMatching(/channel "toString" is unknown/)],
    ])
  })
})
