import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inOneSnapshot, openStore, type Db } from '../../src/main/store/connection'
import { insertSyncRecord, listSyncRecords } from '../../src/main/store/records'
import { recordListSchema } from '../../src/shared/filters'
import { tempDir } from '../helpers/world'
import { bareMerchant } from '../helpers/bare-merchant'

// `paysync records --json --all` pages newest first. A sync that writes records between two pages
// pushes every row down: without one snapshot, the next page would start with rows the last one
// already gave. Two connections to one file, as the command line and the nightly sync are.

let file: string
let reader: Db
let writer: Db
let next = 0

function write(db: Db, n: number): void {
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = next++
      insertSyncRecord(db, {
        tradeType: 'pay',
        tradeId: id,
        tradeNo: `S${id}`,
        bizTradeNo: `B${id}`,
        gatewayTradeNo: null,
        channel: 'alipay',
        merchantId: 1,
        gatewayStatus: 'pay_success',
        gatewayRawStatus: null,
        outcome: 'consistent',
        repairNo: null,
        anomalyId: null,
        errorCode: null,
        errorMsg: null,
        clientIp: null,
        operator: null,
        source: 'batch',
        batchId: null,
        durationMs: 1,
        createdAt: Date.now(),
        syncInfo: null,
        actionInfo: null,
      } as Parameters<typeof insertSyncRecord>[1])
    }
  })()
}

beforeAll(() => {
  file = path.join(tempDir(), 'snapshot.db')
  writer = openStore(file)
  bareMerchant(writer, 'm1')
  write(writer, 250)
  reader = openStore(file)
})
afterAll(() => {
  reader.close()
  writer.close()
})

/** Pages of 100 to the end, with `between` run after each page. */
async function everyId(between: () => void): Promise<number[]> {
  const ids: number[] = []
  for (let offset = 0; ; offset += 100) {
    const page = listSyncRecords(reader, { limit: 100, offset })
    ids.push(...page.items.map((r) => r.id))
    if (page.items.length < 100) return ids
    between()
    await Promise.resolve()
  }
}

describe('pages read from one snapshot', () => {
  it('neither repeat nor miss a row while another connection writes', async () => {
    const before = listSyncRecords(reader, { limit: 1, offset: 0 }).total
    const ids = await inOneSnapshot(reader, () => everyId(() => write(writer, 30)))
    expect(ids).toHaveLength(before)
    expect(new Set(ids).size).toBe(before)
    expect(reader.inTransaction).toBe(false)
  })

  it('without it, the same pages repeat rows: what the snapshot is for', async () => {
    const ids = await everyId(() => write(writer, 30))
    expect(new Set(ids).size).toBeLessThan(ids.length)
  })

  it('and so do pages that go on from a cursor, oldest first, where new rows come last', async () => {
    const before = listSyncRecords(reader, { limit: 1, offset: 0 }).total
    const ids = await inOneSnapshot(reader, async () => {
      const seen: number[] = []
      let after: string | undefined
      for (;;) {
        const page = listSyncRecords(reader, recordListSchema.parse({ limit: 100, sort: 'time', after }))
        seen.push(...page.items.map((r) => r.id))
        if (!page.next) return seen
        after = page.next
        write(writer, 30)
        await Promise.resolve()
      }
    })
    expect(ids).toHaveLength(before)
    expect(new Set(ids).size).toBe(before)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
  })

  it('ends its reading when the work throws', async () => {
    await expect(inOneSnapshot(reader, () => Promise.reject(new Error('stopped')))).rejects.toThrow('stopped')
    expect(reader.inTransaction).toBe(false)
  })
})
