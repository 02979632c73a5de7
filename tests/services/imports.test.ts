import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { listPayOrders } from '../../src/main/store/orders'
import { createWorld, type World } from '../helpers/world'

let w: World
beforeAll(async () => {
  w = await createWorld()
})
afterAll(async () => {
  await w.close()
})

/** The file as the window hands it over: the handle main keeps for the path the person chose. */
const chosen = (file: string) => w.ctx.handles.namedToRead(file).file

describe('import preview (what the batch screen shows before anything is written)', () => {
  it('maps the columns, checks every row like the import would, and writes nothing', async () => {
    const file = path.join(w.dir, 'preview.csv')
    fs.writeFileSync(
      file,
      '商户订单号,金额(元),状态,备注\nPV-1,1.00,支付中,a\nPV-2,abc,支付中,b\nPV-3,2.00,未知,c\n',
    )
    const p = await dispatch(w.ctx, 'imports.preview', {
      file: chosen(file),
      type: 'pay',
      merchant: 'ali',
      rows: 10,
    })
    expect(p.columns.map((c) => c.field)).toEqual(['orderNo', 'amountYuan', 'status', null])
    expect(p.unknownHeaders).toEqual(['备注'])
    expect(p.summary).toEqual({
      rows: 3,
      inserted: 1,
      updated: 0,
      unchanged: 0,
      duplicates: 0,
      conflicts: 0,
      skipped: 0,
      rejected: 2,
      warnings: 0,
    })
    expect(p.rows.map((r) => r.error === null)).toEqual([true, false, false])
    expect(p.errors.map((e) => e.line)).toEqual([3, 4])
    expect(listPayOrders(w.ctx.db, { limit: 10, offset: 0 }).total).toBe(0)
  })

  it('a saved mapping names columns the aliases do not know', async () => {
    const file = path.join(w.dir, 'erp.csv')
    fs.writeFileSync(file, 'SO,Total,State\nERP-1,12.50,progress\n')
    const mapping = { columns: { SO: 'orderNo', Total: 'amountYuan', State: 'status' } }
    const handle = chosen(file)
    const p = await dispatch(w.ctx, 'imports.preview', {
      file: handle,
      type: 'pay',
      merchant: 'ali',
      mapping,
    })
    expect(p.missing).toEqual([])
    expect(p.summary?.inserted).toBe(1)
    const s = await dispatch(w.ctx, 'imports.run', { file: handle, type: 'pay', merchant: 'ali', mapping })
    expect(s.inserted).toBe(1)
  })

  it('a trade the file lists twice is one item of the batch it starts, and the summary says so', async () => {
    const file = path.join(w.dir, 'twice.csv')
    fs.writeFileSync(
      file,
      'orderNo,amountYuan,status\nTW-1,1.00,progress\nTW-2,2.00,progress\nTW-1,1.00,progress\n',
    )
    const s = await dispatch(w.ctx, 'imports.run', {
      file: chosen(file),
      type: 'pay',
      merchant: 'ali',
      sync: { concurrency: 2, qps: 50 },
    })
    // The third row repeats the first: told as a repeat, one item in the batch.
    expect([s.rows, s.inserted, s.unchanged, s.duplicates, s.rejected]).toEqual([3, 2, 0, 1, 0])
    expect(s.batchId).toBeGreaterThan(0)
    expect(s.batchTotal).toBe(2)
    const batch = await dispatch(w.ctx, 'batches.get', { id: s.batchId! })
    expect(batch.total).toBe(2)
  })

  it('a bad mapping is a clear error', async () => {
    await expect(
      dispatch(w.ctx, 'imports.preview', { file: 'x.csv', mapping: { columns: { a: 'nonsense' } } }),
    ).rejects.toThrow(/column mapping is not valid/)
  })
})
