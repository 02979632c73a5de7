import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { exportedFile } from '../../src/main/services/downloads'
import { getStatement } from '../../src/main/store/statements'
import { bj } from '../helpers/statements'
import { reconcileAlipay } from '../helpers/reconcile'
import { createWorld, type World } from '../helpers/world'

// 下载原始文件 and the 来源 filter of the 对账 list (docs/reconcile.md A15.1): the kept bill file, byte for
// byte, where exports go; an uploaded bill found by its source.

const D = '2026-10-03'
let w: World
afterEach(async () => w?.close())

describe('a statement’s original file', () => {
  it('is written where exports go, byte for byte, and the list finds an upload by its source', async () => {
    w = await createWorld()
    w.payOrder({
      merchant: 'ali',
      orderNo: 'OR1',
      amount: 1000,
      status: 'success',
      paidAt: bj(`${D} 12:00:00`),
    })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'OR1', amount: 1000, time: bj(`${D} 12:00:00`) },
    ])
    const kept = getStatement(w.ctx.db, run.statementId!)!
    expect(kept.file_path).not.toBeNull()

    const res = await dispatch(w.ctx, 'statements.original', { id: run.statementId! })
    expect(res.file).toBe(kept.file_name)
    expect(res.bytes).toBe(fs.statSync(kept.file_path!).size)
    const id = res.downloadPath!.split('/')[2]!
    const written = exportedFile(w.ctx, id)!
    expect(fs.readFileSync(written.file).equals(fs.readFileSync(kept.file_path!))).toBe(true)

    expect((await dispatch(w.ctx, 'statements.list', { source: 'upload' })).total).toBe(1)
    expect((await dispatch(w.ctx, 'statements.list', { source: 'download' })).total).toBe(0)
  })

  it('is refused, in words, for a statement that keeps no file', async () => {
    w = await createWorld()
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'OR2', amount: 1000, time: bj(`${D} 12:00:00`) },
    ])
    fs.rmSync(getStatement(w.ctx.db, run.statementId!)!.file_path!)
    await expect(dispatch(w.ctx, 'statements.original', { id: run.statementId! })).rejects.toMatchObject({
      code: 'not_found',
      id: 'statement.noOriginal',
    })
  })
})
