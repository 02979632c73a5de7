import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImportWorkers } from '../../src/main/files/import/worker-host'
import { dispatch } from '../../src/main/services/index'
import { deferIndexesOfEmpty } from '../../src/main/store/deferred-indexes'
import { findPayOrder } from '../../src/main/store/orders'
import type { TaskProgressEvent } from '../../src/shared/contract'
import { AppError } from '../../src/shared/errors'
import { HEADER_ROW, SHEET_HEAD, SHEET_TAIL, textPart, workbook } from '../helpers/hostile-xlsx'
import { createWorld, type World } from '../helpers/world'

// Imports run in worker threads with a limited heap (review-security M3): a file that needs more
// memory than an import may spend ends its worker with a sentence, and the process that syncs goes
// on; progress and cancel work across the thread.

let w: World
beforeAll(async () => {
  w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
})
afterAll(async () => {
  await w.close()
})

/** A workbook whose shared strings pass every guard but need far more heap than 16 MB to hold. */
function heavyStrings(): Buffer {
  const strings: string[] = []
  for (let i = 0; i < 300_000; i++) strings.push(`<si><t>s${i.toString(36)}</t></si>`)
  const sst = textPart(
    'xl/sharedStrings.xml',
    `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings.join('')}</sst>`,
  )
  return workbook(textPart('xl/worksheets/sheet1.xml', `${SHEET_HEAD}${HEADER_ROW}${SHEET_TAIL}`), sst)
}

describe('imports in a worker thread', () => {
  it('a worker that ends mid-import leaves no pay list without its indexes: another builds them', async () => {
    const indexes = () =>
      w.ctx.db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pay_orders' ORDER BY name",
        )
        .pluck()
        .all()
    const before = indexes()
    // As a large first import in a worker of this process leaves them while it runs.
    expect(deferIndexesOfEmpty(w.ctx.db, 'pay_orders')).toBe(true)
    expect(indexes().length).toBeLessThan(before.length)
    const file = path.join(w.dir, 'heavy-first.xlsx')
    fs.writeFileSync(file, heavyStrings())
    const workers = new ImportWorkers({
      dbFile: w.dbFile,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    })
    try {
      const job = {
        file,
        options: { type: 'pay' as const, merchant: 'ali' },
        now: Date.now(),
        wantTrades: false,
      }
      await expect(workers.run(job).result).rejects.toThrow(/heavy-first\.xlsx is not imported/)
      await expect.poll(indexes, { timeout: 30_000, interval: 100 }).toEqual(before)
      expect(w.ctx.db.prepare('SELECT count(*) FROM deferred_indexes').pluck().get()).toBe(0)
    } finally {
      await workers.close()
    }
  }, 60_000)

  it('a file that needs more memory than an import may use ends its worker with a sentence; this thread goes on', async () => {
    const file = path.join(w.dir, 'heavy.xlsx')
    fs.writeFileSync(file, heavyStrings())
    const workers = new ImportWorkers({
      dbFile: w.dbFile,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    })
    try {
      const job = {
        file,
        options: { type: 'pay' as const, merchant: 'ali', dryRun: true },
        now: Date.now(),
        wantTrades: false,
      }
      const failed = await workers.run(job).result.catch((err: unknown) => err)
      expect((failed as Error).message).toMatch(
        /heavy\.xlsx is not imported: reading it needed more than the 16 MB/,
      )
      // The next import gets a new worker and goes in.
      const csv = path.join(w.dir, 'after.csv')
      fs.writeFileSync(csv, '商户订单号,金额(元)\nAFTER-OOM-1,1.00\n')
      const ok = await workers.run({ ...job, file: csv, options: { ...job.options, dryRun: false } }).result
      expect(ok.result).toMatchObject({ inserted: 1, rejected: 0 })
    } finally {
      await workers.close()
    }
    expect(findPayOrder(w.ctx.db, w.merchantId('ali'), 'AFTER-OOM-1')!.amount).toBe(100)
  }, 60_000)

  it("the service runs imports off this thread, reports progress under the caller's task id, and cancels", async () => {
    const file = path.join(w.dir, 'long.csv')
    const rows = ['商户订单号,金额(元),状态']
    for (let i = 0; i < 200_000; i++) rows.push(`LONG${String(i).padStart(7, '0')},1.00,支付中`)
    fs.writeFileSync(file, rows.join('\n') + '\n')
    const seen: TaskProgressEvent[] = []
    const off = w.ctx.on('task.progress', (p) => {
      seen.push(p)
      if (p.taskId === 'long-1' && !p.finished && p.done > 0)
        void dispatch(w.ctx, 'imports.cancel', { taskId: 'long-1' })
    })
    const stopped = await dispatch(w.ctx, 'imports.run', {
      file: w.ctx.handles.namedToRead(file).file,
      merchant: 'ali',
      taskId: 'long-1',
    }).catch((err: unknown) => err)
    off()
    expect(stopped).toBeInstanceOf(AppError)
    expect((stopped as AppError).id).toBe('import.cancelled')
    const count = () =>
      (
        w.ctx.db.prepare("SELECT COUNT(*) AS n FROM pay_orders WHERE order_no LIKE 'LONG%'").get() as {
          n: number
        }
      ).n
    const first = count()
    expect(first).toBeGreaterThan(0)
    expect(first).toBeLessThan(200_000)
    expect(seen.filter((p) => p.taskId === 'long-1').at(-1)).toMatchObject({ finished: true })
    // The rows went in on another thread.
    expect(w.ctx.importWorkers.threads).toBeGreaterThan(0)
    // Importing the file again finishes it.
    const rest = await dispatch(w.ctx, 'imports.run', {
      file: w.ctx.handles.namedToRead(file).file,
      merchant: 'ali',
    })
    expect(rest.inserted).toBe(200_000 - first)
    expect(count()).toBe(200_000)
  }, 120_000)
})
