import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/main/services/db-copy'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { tempDir } from '../helpers/world'

// `paysync export <list> --db postgres://…` (docs/cli.md section 4, docs/team-mode.md B8.6): the demo's
// books copied into a team database export byte for byte the file the database file exports, every
// list with its filters, sorts and 合计 line, through the real command line; and the rows come through
// a server-side cursor, so a large export keeps the process's memory flat.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

/** The command line, with `node` flags before it (a memory probe). */
const paysync = (args: string[], nodeFlags: string[] = [], env: Record<string, string> = {}) =>
  run(process.execPath, [...nodeFlags, BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', PAYSYNC_OPERATOR: 'tester', ...env },
    maxBuffer: 64 << 20,
  })

let dir: string
let file: string
let url: string

/** One export from both stores; the two files' bytes. */
async function exportBoth(what: string, flags: string[]) {
  const name = `${what}-${flags.join('_').replace(/[^\w-]/g, '')}`
  const here = path.join(dir, `${name}.file.csv`)
  const there = path.join(dir, `${name}.team.csv`)
  const [, said] = await Promise.all([
    paysync(['export', what, '--db', file, '--out', here, ...flags]),
    paysync(['export', what, '--db', url, '--out', there, '--json', ...flags]),
  ])
  return { here: fs.readFileSync(here), there: fs.readFileSync(there), said: JSON.parse(said.stdout) }
}

describe.skipIf(pgMissing())('exports of a team database', () => {
  let client: pg.Client

  beforeAll(async () => {
    dir = tempDir()
    file = path.join(dir, 'demo.db')
    await paysync(['demo', '--db', file])
    url = await freshDatabase()
    await copyDatabase(file, url)
    client = new pg.Client(url)
    await client.connect()
  }, 120_000)

  afterAll(async () => {
    await client?.end()
  })

  it('every list, filtered and sorted, writes the bytes the database file writes', async () => {
    const filters: string[][] = [
      [],
      ['--total'],
      ['--merchant', 'demo-wechat-sp', '--total'],
      ['--channel', 'alipay', '--sort', 'amount', '--total'],
      ['--since', '2020-01-01', '--until', '2100-01-01', '--sort', '-amount'],
      ['--no', '000', '--sort', 'time'],
      ['--merchant', 'no such merchant', '--total'],
    ]
    let rows = 0
    for (const what of ['records', 'orders', 'refunds', 'repairs', 'anomalies'])
      for (const flags of filters) {
        const { here, there, said } = await exportBoth(what, flags)
        expect(there.equals(here), `${what} ${flags.join(' ')}`).toBe(true)
        rows += said.rows
      }
    // The demo's books have rows in every list: the comparison compared something, footers included.
    expect(rows).toBeGreaterThan(300)
    const withTotal = fs.readFileSync(path.join(dir, 'repairs---total.team.csv'), 'utf8')
    expect(withTotal.startsWith('\uFEFF修复单号,')).toBe(true)
    expect(withTotal).toMatch(/\r\n合计（\d+ 条）,[^\r\n]*\r\n$/)
  }, 300_000)

  it('records the export in the team database audit log, and refuses what it cannot export', async () => {
    const out = path.join(dir, 'audited.csv')
    await paysync(['export', 'orders', '--db', url, '--out', out, '--channel', 'wechat'])
    const { rows } = await client.query<{
      operator: string
      transport: string
      target: string
      detail: string
    }>(
      "SELECT operator, transport, target, detail FROM audit_log WHERE action = 'export_written' AND target = $1",
      [out],
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ operator: 'tester', transport: 'cli' })
    const written = fs.readFileSync(out, 'utf8').split('\r\n').length - 2
    expect(JSON.parse(rows[0]!.detail)).toEqual({ kind: 'orders', rows: written, total: false })

    // A file already there stays unless --force; no file is left half written beside it.
    const again = await paysync(['export', 'orders', '--db', url, '--out', out]).catch(
      (e: { stderr: string }) => e,
    )
    expect((again as { stderr: string }).stderr).toMatch(/exists already: add --force/)
    await paysync(['export', 'orders', '--db', url, '--out', out, '--force', '--channel', 'alipay'])
    expect(fs.readFileSync(out, 'utf8')).not.toContain('微信支付')
    // A statement the team database does not hold is the file's refusal, and leaves no file behind.
    const missing = await paysync([
      'export',
      'statement-diffs',
      '--statement',
      '999999',
      '--db',
      url,
      '--out',
      path.join(dir, 'b.csv'),
    ]).catch((e: { code: number; stderr: string }) => e)
    expect(missing).toMatchObject({ code: 1 })
    expect((missing as { stderr: string }).stderr).toMatch(/999999/)
    expect(fs.readdirSync(dir).filter((f) => f === 'b.csv' || f.endsWith('.part'))).toEqual([])
  }, 120_000)

  it("every statement's differences and lines write the bytes the database file writes", async () => {
    // One merchant's days: with differences and without (the others' are alike, and each export is a
    // command line of its own on both stores).
    const { rows: statements } = await client.query<{ id: string }>(
      'SELECT id FROM statements WHERE merchant_id = (SELECT min(merchant_id) FROM statements) ORDER BY id',
    )
    let rows = 0
    for (const { id } of statements)
      for (const what of ['statement-diffs', 'statement-lines']) {
        const { here, there, said } = await exportBoth(what, ['--statement', id])
        expect(there.equals(here), `${what} ${id}`).toBe(true)
        rows += said.rows
      }
    // The demo reconciles bill days with differences: the comparison compared something.
    expect(statements.length).toBeGreaterThan(0)
    expect(rows).toBeGreaterThan(10)
  }, 300_000)

  it('keeps memory flat through a large export: the rows come a fetch at a time', async () => {
    // 200,000 more sync records, made in the server from one of the demo's.
    const cols = (
      await client.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
          WHERE table_name = 'sync_records' AND column_name NOT IN ('id', 'trade_no')`,
      )
    ).rows.map((r) => r.column_name)
    // Without the kept totals' triggers, which the export does not read: 200,000 upserts of one
    // totals row in one statement pile up versions of it and take minutes.
    await client.query('ALTER TABLE sync_records DISABLE TRIGGER USER')
    // Each with a long error message, so that the file is large whichever demo record is copied (the
    // demo's first record depends on the day it runs; CI once copied one whose lines were short).
    const copied = (c: string) =>
      c === 'error_msg' ? `repeat('网关未在时限内应答，稍后重试 ', 8)` : `s.${c}`
    await client.query(
      `INSERT INTO sync_records (trade_no, ${cols.join(', ')})
       SELECT 'GEN' || g, ${cols.map(copied).join(', ')}
         FROM (SELECT * FROM sync_records ORDER BY id LIMIT 1) s, generate_series(1, 200000) g`,
    )
    await client.query('ALTER TABLE sync_records ENABLE TRIGGER USER')
    // The process reports its peak of live memory (heap and buffers, sampled) and its peak RSS.
    const probe = `import fs from 'node:fs'
let peak = 0
const live = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers }
setInterval(() => { peak = Math.max(peak, live()) }, 5).unref()
process.on('exit', () => fs.writeFileSync(process.env.PAYSYNC_MEMORY_REPORT, JSON.stringify({ peak: Math.max(peak, live()), rss: process.resourceUsage().maxRSS * 1024 })))`
    const measured = async (flags: string[]) => {
      const report = path.join(dir, `memory-${flags.length}.json`)
      const out = path.join(dir, `large-${flags.length}.csv`)
      const said = await paysync(
        ['export', 'records', '--db', url, '--out', out, '--json', '--total', ...flags],
        [`--import=data:text/javascript,${encodeURIComponent(probe)}`],
        { PAYSYNC_MEMORY_REPORT: report },
      )
      return {
        rows: JSON.parse(said.stdout).rows as number,
        bytes: fs.statSync(out).size,
        ...(JSON.parse(fs.readFileSync(report, 'utf8')) as { peak: number; rss: number }),
      }
    }
    // The demo's records of the other trade type than the one copied: the same path, a few rows.
    const { rows: first } = await client.query<{ trade_type: string }>(
      'SELECT trade_type FROM sync_records ORDER BY id LIMIT 1',
    )
    const small = await measured(['--type', first[0]!.trade_type === 'pay' ? 'refund' : 'pay'])
    const large = await measured([])
    expect(small.rows).toBeGreaterThan(0)
    expect(small.rows).toBeLessThan(1000)
    expect(large.rows).toBeGreaterThan(200_000)
    expect(large.bytes).toBeGreaterThan(30 << 20)
    const mb = (n: number) => Math.round(n / 2 ** 20)
    console.log(
      `export of ${large.rows} rows (${mb(large.bytes)} MB): peak live memory ${mb(large.peak)} MB, RSS ${mb(large.rss)} MB; of ${small.rows} rows: ${mb(small.peak)} MB, RSS ${mb(small.rss)} MB`,
    )
    // Generous bounds, what is not yet collected included. Measured: read a fetch at a time, the live
    // peak grew by about 70 MB and RSS by 85 MB; all rows in one fetch, by 290 MB and 310 MB.
    expect(large.peak - small.peak).toBeLessThan(160 << 20)
    expect(large.rss - small.rss).toBeLessThan(220 << 20)
  }, 300_000)
})
