import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OperationOutput } from '../../src/shared/contract'
import { ServiceContext } from '../../src/main/services/context'
import { copyDatabase } from '../../src/main/services/db-copy'
import { dispatchRead, READ_OPERATIONS, type ReadOperation } from '../../src/main/services/index'
import { TeamReads } from '../../src/main/services/team-reads'
import { batchItemPage } from '../../src/main/services/batch-items'
import { overviewOn } from '../../src/main/services/overview'
import { readHeadsOn } from '../../src/main/store/heads'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { tempDir } from '../helpers/world'

// The lists, detail views and statements on a team database (docs/team-mode.md B8.8): the same store functions
// read the desktop's file and PostgreSQL, so the books `paysync demo` makes (syncs, repairs,
// anomalies, statements) read the same on both after `paysync db copy`, page for page and row for row,
// through the services and through the command line.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

const paysync = (args: string[]) =>
  run(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 })

let file: string
let url: string
let ctx: ServiceContext
let team: TeamReads

/** Both stores' answer to one read. */
async function both<K extends ReadOperation>(name: K, input: unknown) {
  const here = await dispatchRead(ctx, name, input)
  const there = await dispatchRead(team, name, input)
  return { here, there }
}

/** Every page of a list, each after the last row of the one before: SQLite's and PostgreSQL's. */
async function everyPage(name: ReadOperation & `${string}.list`, input: Record<string, unknown>) {
  let after: string | undefined
  let pages = 0
  for (;;) {
    const { here, there } = await both(name, { ...input, limit: 3, ...(after ? { after } : {}) })
    expect(there, `${name} ${JSON.stringify(input)} page ${pages}`).toEqual(here)
    const page = here as OperationOutput<'records.list'>
    pages++
    if (!page.next) return pages
    after = page.next
  }
}

describe.skipIf(pgMissing())('the lists and details on a team database', () => {
  beforeAll(async () => {
    file = path.join(tempDir(), 'demo.db')
    await paysync(['demo', '--db', file])
    url = await freshDatabase()
    await copyDatabase(file, url)
    ctx = new ServiceContext({ dbFile: file, transport: 'cli', readsOnly: true })
    team = await TeamReads.open(url)
  }, 120_000)

  afterAll(async () => {
    await team?.close()
    await ctx?.close()
  })

  it('each list, filtered and sorted every way, reads the same rows, totals and cursors', async () => {
    const lists = ['records.list', 'orders.list', 'refunds.list', 'repairs.list', 'anomalies.list'] as const
    const filters: Array<Record<string, unknown>> = [
      {},
      { merchant: 'demo-wechat-sp' },
      { merchant: 'no such merchant' },
      { channel: 'alipay' },
      { since: '2020-01-01', until: '2100-01-01' },
      { no: '000' },
      { no: 'demo-a' },
      { no: '50%_' },
    ]
    let pages = 0
    for (const name of lists)
      for (const filter of filters)
        for (const sort of ['-time', 'time', '-amount', 'amount'])
          pages += await everyPage(name, { ...filter, sort })
    for (const f of [{}, { event: 'merchant_added' }]) pages += await everyPage('audit.list', f)
    // The demo's books have rows for each list: the comparison compared something.
    const records = await dispatchRead(team, 'records.list', { limit: 1 })
    expect(records.total).toBeGreaterThan(20)
    expect((await dispatchRead(team, 'anomalies.list', { limit: 1 })).total).toBeGreaterThan(3)
    expect((await dispatchRead(team, 'repairs.list', { limit: 1 })).total).toBeGreaterThan(3)
    expect(pages).toBeGreaterThan(200)
  })

  it('each list read by page number (OFFSET), every page past the first too, reads the same', async () => {
    // On PostgreSQL a page past the first reads its ids first and then those rows (store/list-cursor.ts
    // pageByIds): the rows, their order, totals and cursor must still be the file's.
    const lists = ['records.list', 'orders.list', 'refunds.list', 'repairs.list', 'anomalies.list'] as const
    let pages = 0
    for (const name of lists)
      for (const filter of [{}, { merchant: 'demo-wechat-sp' }, { no: '000' }])
        for (const sort of ['-time', 'time', '-amount', 'amount']) {
          const total = (await dispatchRead(ctx, name, { ...filter, limit: 1 })).total
          for (let offset = 0; offset <= total; offset += 4) {
            const { here, there } = await both(name, { ...filter, sort, limit: 4, offset })
            expect(there, `${name} ${JSON.stringify({ ...filter, sort, offset })}`).toEqual(here)
            pages++
          }
        }
    for (let offset = 0; offset <= 12; offset += 3) {
      const { here, there } = await both('audit.list', { limit: 3, offset })
      expect(there, `audit.list ${offset}`).toEqual(here)
    }
    expect(pages).toBeGreaterThan(100)
  })

  it('every detail view and the search box read the same', async () => {
    for (const [list, get] of [
      ['records.list', 'records.get'],
      ['orders.list', 'orders.get'],
      ['refunds.list', 'refunds.get'],
      ['anomalies.list', 'anomalies.get'],
    ] as const) {
      const ids = (await dispatchRead(ctx, list, { limit: 200 })).items.map((i) => i.id)
      expect(ids.length, list).toBeGreaterThan(0)
      for (const id of ids) {
        const { here, there } = await both(get, { id })
        expect(there, `${get} ${id}`).toEqual(here)
      }
      const missing = await dispatchRead(team, get, { id: 99_999 }).catch((err: unknown) => err)
      expect(missing).toMatchObject({ code: 'not_found' })
    }
    for (const no of ['DEMO', 'demo-w', '0004', 'R26', 'x']) {
      const { here, there } = await both('search.trades', { no, limit: 20 })
      expect(there, `search ${no}`).toEqual(here)
    }
  })

  it('the statements, their lines, differences, carry-over and calendar read the same', async () => {
    for (const f of [{}, { result: 'unbalanced' }, { merchant: 'demo-wechat-sp' }, { limit: 2, offset: 1 }]) {
      const { here, there } = await both('statements.list', { limit: 100, offset: 0, ...f })
      expect(there, JSON.stringify(f)).toEqual(here)
    }
    const statements = (await dispatchRead(ctx, 'statements.list', { limit: 100, offset: 0 })).items
    expect(statements.length).toBeGreaterThan(2)
    let diffs = 0
    for (const { id, merchant, billDate } of statements) {
      for (const [name, input] of [
        ['statements.get', { id }],
        ['statements.carryOver', { id }],
        ['statements.lines', { id, limit: 500, offset: 0 }],
        ['statements.lines', { id, state: 'matched', limit: 2, offset: 1 }],
        ['statements.diffs', { id, limit: 500, offset: 0 }],
        ['statements.diffs', { id, status: 'open', limit: 500, offset: 0 }],
        ['statements.calendar', { merchant, month: billDate.slice(0, 7) }],
      ] as const) {
        const { here, there } = await both(name, input)
        expect(there, `${name} ${JSON.stringify(input)}`).toEqual(here)
      }
      diffs += (await dispatchRead(team, 'statements.diffs', { id, limit: 1, offset: 0 })).total
    }
    expect(diffs).toBeGreaterThan(2)
    const statement = await paysync(['statement', 'diffs', String(statements[0]!.id), '--db', url, '--json'])
    const onFile = await paysync(['statement', 'diffs', String(statements[0]!.id), '--db', file, '--json'])
    expect(statement.stdout).toBe(onFile.stdout)
  })

  it('covers every read operation of the contract', () => {
    // A read operation added to the contract is added to this comparison.
    expect([...READ_OPERATIONS].sort()).toEqual(
      [
        'anomalies.get',
        'anomalies.list',
        'audit.list',
        'orders.get',
        'orders.list',
        'records.get',
        'records.list',
        'refunds.get',
        'refunds.list',
        'repairs.list',
        'search.trades',
        'statements.calendar',
        'statements.carryOver',
        'statements.diffs',
        'statements.get',
        'statements.lines',
        'statements.list',
      ].sort(),
    )
  })

  it('`--all` reads one snapshot of the team database, as of the file', async () => {
    for (const list of ['records', 'orders', 'anomalies']) {
      const onFile = await paysync([list, '--db', file, '--json', '--all', '--sort', 'amount'])
      const onTeam = await paysync([list, '--db', url, '--json', '--all', '--sort', 'amount'])
      expect(onTeam.stdout.split('\n').length, list).toBeGreaterThan(3)
      expect(onTeam.stdout, list).toBe(onFile.stdout)
    }
    const table = await paysync(['orders', '--db', url, '--channel', 'alipay'])
    expect(table.stdout).toMatch(/^\d+ pay orders?, amounts [\d.]+ yuan/)
  })

  it('the overview, the heads the windows follow and a batch page read the same on both', async () => {
    // The demo's clock: its syncs are of its own days, so the overview is read as of its last record.
    const { at } = ctx.db.prepare('SELECT max(created_at) AS at FROM sync_records').get() as { at: number }
    const here = overviewOn.sync(ctx.exec, at)
    expect(here.today.syncs).toBeGreaterThan(0)
    expect(here.merchants.length).toBeGreaterThan(1)
    expect(await overviewOn.async(team.exec, at)).toEqual(here)
    expect(await readHeadsOn.async(team.exec)).toEqual(readHeadsOn.sync(ctx.exec))
    const batch = ctx.db.prepare('SELECT max(batch_id) AS id FROM sync_records').get() as {
      id: number | null
    }
    expect(batch.id).not.toBeNull()
    for (const problemsOnly of [false, true]) {
      const page = { problemsOnly, limit: 5, offset: 1 }
      const onFile = batchItemPage.sync(ctx.exec, batch.id!, page)
      expect(await batchItemPage.async(team.exec, batch.id!, page)).toEqual(onFile)
      if (!problemsOnly) expect(onFile.items.length).toBeGreaterThan(0)
    }
  })

  it('a command that writes says it works on a file, and an unreachable server is one sentence', async () => {
    const cancel = await paysync(['keys', 'headless', 'on', '--db', url]).catch(
      (err: { code: number; stderr: string }) => err,
    )
    expect(cancel).toMatchObject({ code: 1 })
    expect((cancel as { stderr: string }).stderr).toMatch(
      /names a team database .*the lists and statements read today/,
    )
    const gone = await paysync(['records', '--db', 'postgres://someone:s3cret@127.0.0.1:1/books']).catch(
      (err: { code: number; stderr: string }) => err,
    )
    const said = (gone as { stderr: string }).stderr
    expect(said).toMatch(/no PostgreSQL answers at 127\.0\.0\.1:1/)
    expect(said).not.toContain('s3cret')
    expect(said.trim().split('\n')).toHaveLength(1)
  })
})
