import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { tempDir } from '../helpers/world'

// `paysync import` as a finance user's script runs it (issue 14 items 6 and 8): a whole-number amount
// column whose unit nothing says is refused with the flag that settles it, refused rows go to a file
// to fix, and an import's kept rows can be exported later by its id. The import runs in the bundle's
// import worker (import-worker.mjs beside paysync.mjs).

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

async function paysync(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, '--db', db, ...args], { timeout: 120_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

let dir: string
let db: string
let sim: Simulator
beforeAll(async () => {
  dir = tempDir()
  db = path.join(dir, 'imp.db')
  sim = await startSimulator({
    scenario: { merchants: [{ name: 'shop', channel: 'alipay' }], orders: [], refunds: [] },
  })
  fs.writeFileSync(path.join(dir, 'shop.json'), JSON.stringify(sim.profiles()[0]))
  expect((await paysync('merchant', 'add', '--config', path.join(dir, 'shop.json'))).code).toBe(0)
}, 60_000)
afterAll(async () => {
  await sim.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('paysync import', () => {
  it('refuses whole amounts of no stated unit naming --amount-unit, then writes the refused rows where asked', async () => {
    const csv = path.join(dir, 'shop.csv')
    fs.writeFileSync(csv, 'orderNo,amount,status\nCLI-A1,100,已付款\nCLI-A2,88,支付中\nCLI-A3,x,支付中\n')
    const asked = await paysync('import', csv)
    expect(asked.code).toBe(1)
    expect(asked.stderr).toMatch(
      /^paysync: every amount in column amount of shop\.csv is a whole number .*--amount-unit yuan or --amount-unit fen\n$/,
    )

    const out = path.join(dir, 'rejected.csv')
    const done = await paysync('import', csv, '--amount-unit', 'yuan', '--rejected-out', out)
    expect(done.code).toBe(0)
    expect(done.stdout).toMatch(/2 new, .*1 rejected/)
    expect(done.stdout).toMatch(/the 1 rejected rows are in .*rejected\.csv/)
    expect(fs.readFileSync(out, 'utf8').split('\r\n').slice(0, 2)).toEqual([
      '\uFEFF行号,原因,orderNo,amount,status',
      '4,amount“x”不是以元为单位的金额（请写成 1234.50 这样）,CLI-A3,x,支付中',
    ])
    const list = JSON.parse((await paysync('orders', '--no', 'CLI-A1', '--json')).stdout) as {
      items: Array<{ amount: number }>
    }
    expect(list.items[0]!.amount).toBe(10000)

    const again = await paysync('import', csv, '--amount-unit', 'yuan', '--rejected-out', out)
    expect([again.code, again.stderr]).toEqual([1, expect.stringMatching(/rejected\.csv exists already/)])
    const bad = await paysync('import', csv, '--amount-unit', 'cents')
    expect(bad.stderr).toMatch(/--amount-unit must be one of yuan, fen, not "cents"/)
  }, 120_000)

  it('exports the rows an earlier import kept, by its id', async () => {
    const csv = path.join(dir, 'later.csv')
    fs.writeFileSync(csv, '商户订单号,金额(元)\nCLI-B1,1.00\nCLI-B2,abc\n')
    const imported = JSON.parse((await paysync('import', csv, '--json')).stdout) as { importId: number }
    const out = path.join(dir, 'later-rejected.csv')
    const r = await paysync('export', 'rejected', String(imported.importId), '--out', out)
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/wrote 1 rows/) })
    expect(fs.readFileSync(out, 'utf8')).toMatch(
      /^\uFEFF行号,原因,商户订单号,金额\(元\)\r\n3,.*,CLI-B2,abc\r\n$/,
    )
  }, 60_000)
})
