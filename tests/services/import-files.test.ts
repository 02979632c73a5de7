import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { ServiceContext } from '../../src/main/services/context'
import { mappingSchema } from '../../src/shared/mapping'
import { createWorld, type World } from '../helpers/world'

// What the import hands the person beside the import itself: the rows it refused (issue 14 item 8),
// a template (item 18) and the saved column mappings (item 17), all through the contract.

let w: World
beforeAll(async () => {
  w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
})
afterAll(async () => {
  await w.close()
})

/** A file as the window's dialogs hand it over: by a handle, never a path (services/file-handles.ts). */
const toRead = (ctx: ServiceContext, file: string) => ctx.handles.namedToRead(file).file
const toWrite = (ctx: ServiceContext, file: string) =>
  ctx.handles.toWrite(file, { replace: true, source: 'dialog' }).file

const write = (name: string, text: string) => {
  const f = path.join(w.dir, name)
  fs.writeFileSync(f, text)
  return f
}

describe('refused rows, after the import and on preview', () => {
  it('export.run writes the rows an import kept, and every row a file on preview would refuse', async () => {
    const rows = ['商户订单号,金额(元),状态']
    for (let i = 0; i < 1_205; i++) rows.push(`RJX${i},${i % 2 ? 'abc' : '1.00'},支付中`)
    const file = write('rejects.csv', rows.join('\n'))
    const s = await dispatch(w.ctx, 'imports.run', {
      file: toRead(w.ctx, file),
      merchant: 'ali',
      sync: { concurrency: 1, qps: 1 },
    })
    expect(s.rejected).toBe(602)
    const kept = await dispatch(w.ctx, 'export.run', {
      kind: 'rejected',
      importId: s.importId,
      file: toWrite(w.ctx, path.join(w.dir, 'kept.csv')),
    })
    expect(kept.rows).toBe(602)
    const lines = fs.readFileSync(kept.file, 'utf8').split('\r\n')
    expect(lines[0]).toBe('\uFEFF行号,原因,商户订单号,金额(元),状态')
    expect(lines[1]).toBe('3,金额(元)“abc”不是以元为单位的金额（请写成 1234.50 这样）,RJX1,abc,支付中')
    // The batch the import started knows its import, for the history's export.
    const batch = await dispatch(w.ctx, 'batches.get', { id: s.batchId! })
    expect(batch).toMatchObject({ importId: s.importId, importRejected: 602 })
    await dispatch(w.ctx, 'batches.cancel', { id: s.batchId! })

    const onPreview = await dispatch(w.ctx, 'export.run', {
      kind: 'rejected',
      source: { file: toRead(w.ctx, file), merchant: 'ali' },
      file: toWrite(w.ctx, path.join(w.dir, 'preview-rejects.csv')),
    })
    expect(onPreview.rows).toBe(602)
    expect(fs.readFileSync(onPreview.file, 'utf8').split('\r\n')[602]).toMatch(/^1205,.*,RJX1203,abc,支付中$/)
  }, 60_000)

  it('an import it does not know is not found', async () => {
    await expect(
      dispatch(w.ctx, 'export.run', {
        kind: 'rejected',
        importId: 99_999,
        file: toWrite(w.ctx, path.join(w.dir, 'x.csv')),
      }),
    ).rejects.toThrow(/import 99999 does not exist/)
  })
})

describe('the template', () => {
  it('holds the recognised headers and two rows that import cleanly, pay and refund', async () => {
    const pay = await dispatch(w.ctx, 'imports.template', {
      type: 'pay',
      file: toWrite(w.ctx, path.join(w.dir, 'tpl-pay.csv')),
    })
    const refund = await dispatch(w.ctx, 'imports.template', {
      type: 'refund',
      file: toWrite(w.ctx, path.join(w.dir, 'tpl-refund.csv')),
    })
    const header = fs.readFileSync(pay.file, 'utf8').split('\r\n')[0]
    expect(header).toBe(
      '\uFEFF商户订单号,商户,金额(元),订单状态,订单标题,下单时间,过期时间,支付时间,网关订单号',
    )
    const p = await dispatch(w.ctx, 'imports.run', { file: toRead(w.ctx, pay.file), type: 'pay' })
    expect(p).toMatchObject({ inserted: 2, rejected: 0, warnings: 0 })
    const r = await dispatch(w.ctx, 'imports.run', { file: toRead(w.ctx, refund.file), type: 'refund' })
    expect(r).toMatchObject({ inserted: 2, rejected: 0, warnings: 0 })
  })
})

describe('saved column mappings', () => {
  it('are kept in the database, outlive a restart and export as a file --mapping reads', async () => {
    const mapping = {
      columns: { SO: 'orderNo' as const, Total: 'amountYuan' as const, Note: null },
      defaults: {},
    }
    await dispatch(w.ctx, 'mappings.save', { name: '订单系统导出', type: 'pay', mapping })
    await dispatch(w.ctx, 'mappings.save', { name: 'bank', type: 'refund', mapping: { columns: {} } })
    // Another process on the same database (a new browser-mode port, the window after a restart).
    const again = new ServiceContext({ dbFile: w.dbFile, transport: 'http' })
    try {
      expect((await dispatch(again, 'mappings.list', undefined)).map((m) => [m.name, m.type])).toEqual([
        ['bank', 'refund'],
        ['订单系统导出', 'pay'],
      ])
      // Written where the window's save dialog said (browser mode would write into its exports folder).
      const out = await dispatch(w.ctx, 'mappings.export', {
        name: '订单系统导出',
        file: toWrite(w.ctx, path.join(w.dir, 'm.json')),
      })
      const saved = mappingSchema.parse(JSON.parse(fs.readFileSync(out.file, 'utf8')))
      expect(saved).toEqual({ columns: mapping.columns, defaults: {} })
      const file = write('erp.csv', 'SO,Total,Note\nERP-M1,12.50,x\n')
      expect(
        await dispatch(again, 'imports.run', { file: toRead(again, file), merchant: 'ali', mapping: saved }),
      ).toMatchObject({
        inserted: 1,
      })
      expect(await dispatch(again, 'mappings.remove', { name: 'bank' })).toEqual({ removed: true })
      expect((await dispatch(w.ctx, 'mappings.list', undefined)).map((m) => m.name)).toEqual(['订单系统导出'])
      await expect(dispatch(again, 'mappings.export', { name: 'bank' })).rejects.toThrow(
        /no saved mapping named "bank"/,
      )
    } finally {
      await again.close()
    }
  })
})
