import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventMap } from '../../src/shared/contract'
import { copyDatabase } from '../../src/main/services/db-copy'
import { exportedFile } from '../../src/main/services/downloads'
import { dispatch } from '../../src/main/services/index'
import { TeamDesk } from '../../src/main/services/team-desk'
import { TeamHost } from '../../src/main/services/team-host'
import { dispatchTeam } from '../../src/main/services/team-operations'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// The window's import on a team database (docs/team-mode.md B8.18), through `dispatchTeam` as the
// window calls it: column mappings one desktop saves and another lists, removes and exports; a preview
// that reads the team's books as the file's reads the file; an import with a refused row, its progress
// told, its audit naming the operator; a cancelled import; its batch by import id; the template.

const TEAM = 'Team-Pass for 2026!'
const HEADER = 'orderNo,金额(元),status,title,gatewayTradeNo,createdAt'
const csv = (rows: string[][]) => `${[HEADER, ...rows.map((r) => r.join(','))].join('\n')}\n`
const refundCsv = (rows: string[][]) =>
  `orderNo,refundNo,退款金额,status,gatewayRefundNo,createdAt\n${rows.map((r) => r.join(',')).join('\n')}\n`

type Progress = EventMap['task.progress']

describe.skipIf(pgMissing())('the window\u2019s import on a team database', () => {
  let world: World
  let url: string
  let amy: TeamHost
  let bob: TeamHost
  const dir = tempDir('paysync-team-window-')
  const desk = (operator: string) =>
    TeamDesk.open(url, {
      keys: { passphrase: TEAM },
      actor: { operator, systemUser: operator, transport: 'http' },
      dataDir: tempDir('paysync-team-data-'),
    })
  const rows = async (sql: string, params: unknown[] = []) =>
    (await amy.desk.reads.pool.query(sql, params)).rows as Array<Record<string, unknown>>
  /** A file sent as browser mode's page sends it: its handle comes back. */
  const upload = async (host: TeamHost, name: string, text: string) =>
    (await dispatchTeam(host, 'files.upload', { name, contentBase64: Buffer.from(text).toString('base64') }))
      .file
  /** The same file chosen on the desktop's file, for the same operation there. */
  const onFile = (name: string, text: string) => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, text)
    return world.ctx.handles.namedToRead(file).file
  }
  const downloaded = (host: Parameters<typeof exportedFile>[0], downloadPath: string | null) => {
    const id = downloadPath!.split('/')[2]!
    return fs.readFileSync(exportedFile(host, id)!.file, 'utf8')
  }
  const progressOf = (host: TeamHost) => {
    const seen: Progress[] = []
    const off = host.on('task.progress', (p) => seen.push(p))
    return { seen, off }
  }

  beforeAll(async () => {
    world = await createWorld({
      merchants: [{ name: 'ali', channel: 'alipay' }],
      // Browser mode's, as the team hosts here: the sentences name the window's controls.
      context: { passphrase: TEAM, transport: 'http' },
    })
    // The books both stores start from: an order a list names again, one with a refund left to give.
    world.payOrder({ merchant: 'ali', orderNo: 'HAVE-1', amount: 500, status: 'progress' })
    world.payOrder({ merchant: 'ali', orderNo: 'PAID-1', amount: 1000, status: 'success' })
    url = await freshDatabase()
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
    amy = new TeamHost(await desk('amy'), tempDir())
    bob = new TeamHost(await desk('bob'), tempDir())
  })

  afterAll(async () => {
    await amy?.close()
    await bob?.close()
    await world?.close()
  })

  it('a mapping saved on one desktop is listed, replaced, exported and removed from another', async () => {
    const mapping = {
      columns: { SO: 'orderNo' as const, Total: 'amountYuan' as const, Note: null },
      defaults: {},
    }
    const saved = await dispatchTeam(amy, 'mappings.save', { name: '订单系统导出', type: 'pay', mapping })
    expect(saved).toMatchObject({ name: '订单系统导出', type: 'pay', mapping })
    await dispatchTeam(amy, 'mappings.save', { name: 'bank', type: 'refund', mapping: { columns: {} } })

    // Listed by the other desktop, in the file's order (by the names' bytes).
    const listed = await dispatchTeam(bob, 'mappings.list', undefined)
    expect(listed.map((m) => [m.name, m.type, m.mapping])).toEqual([
      ['bank', 'refund', { columns: {}, defaults: {} }],
      ['订单系统导出', 'pay', mapping],
    ])
    // The same list as the desktop's file gives for the same saves, but for when they were saved.
    await dispatch(world.ctx, 'mappings.save', { name: '订单系统导出', type: 'pay', mapping })
    await dispatch(world.ctx, 'mappings.save', { name: 'bank', type: 'refund', mapping: { columns: {} } })
    const fileList = await dispatch(world.ctx, 'mappings.list', undefined)
    const unsaved = (ms: typeof listed) => ms.map(({ savedAt: _s, ...m }) => m)
    expect(unsaved(listed)).toEqual(unsaved(fileList))

    // Replaced by the other desktop under the same name: one mapping, the new one.
    const changed = { columns: { SO: 'orderNo' as const, Total: 'amountFen' as const }, defaults: {} }
    await dispatchTeam(bob, 'mappings.save', { name: '订单系统导出', type: 'pay', mapping: changed })
    expect((await dispatchTeam(amy, 'mappings.list', undefined)).map((m) => m.mapping)).toEqual([
      { columns: {}, defaults: {} },
      changed,
    ])

    // Exported as the file `paysync import --mapping FILE` reads: browser mode downloads it.
    const out = await dispatchTeam(amy, 'mappings.export', { name: '订单系统导出' })
    expect(out).toMatchObject({ rows: 2, downloadPath: expect.stringMatching(/^\/downloads\//) })
    expect(JSON.parse(downloaded(amy, out.downloadPath))).toEqual(changed)

    expect(await dispatchTeam(bob, 'mappings.remove', { name: 'bank' })).toEqual({ removed: true })
    expect(await dispatchTeam(amy, 'mappings.remove', { name: 'bank' })).toEqual({ removed: false })
    expect((await dispatchTeam(amy, 'mappings.list', undefined)).map((m) => m.name)).toEqual(['订单系统导出'])
    await expect(dispatchTeam(amy, 'mappings.export', { name: 'bank' })).rejects.toMatchObject({
      id: 'mapping.notFound',
    })
    expect(await rows('SELECT count(*)::int AS n FROM column_mappings')).toEqual([{ n: 1 }])
  })

  it('a preview reads the team\u2019s books as the file\u2019s preview reads the file, and writes nothing', async () => {
    const list = csv([
      ['NEW-1', '1.00', '支付中', 'tea', '', '2026-12-01 10:00:00'],
      ['HAVE-1', '5.00', '已付款', 'milk', 'G-HAVE', '2026-12-01 10:00:00'],
      ['NEW-2', 'abc', '支付中', 'bad', '', '2026-12-01 11:00:00'],
      ['NEW-1', '1.00', '支付中', 'tea', '', '2026-12-01 10:00:00'],
      ['HAVE-1', '9.00', '支付中', 'milk', '', '2026-12-01 10:00:00'],
    ])
    const before = await rows('SELECT count(*)::int AS n FROM pay_orders')
    const { seen, off } = progressOf(amy)
    const team = await dispatchTeam(amy, 'imports.preview', {
      file: await upload(amy, 'preview.csv', list),
      merchant: 'ali',
      rows: 10,
      taskId: 'preview-1',
    })
    off()
    const file = await dispatch(world.ctx, 'imports.preview', {
      file: onFile('preview.csv', list),
      merchant: 'ali',
      rows: 10,
    })
    expect(team).toEqual(file)
    // The order the books hold is told so: filled (updated), then refused for another amount.
    expect(team.summary).toMatchObject({ rows: 5, inserted: 1, updated: 1, duplicates: 1, rejected: 2 })
    expect(team.errors.map((e) => e.line)).toEqual([4, 6])
    expect(seen.at(-1)).toMatchObject({ taskId: 'preview-1', kind: 'import', finished: true, error: null })
    expect(await rows('SELECT count(*)::int AS n FROM pay_orders')).toEqual(before)
    expect(await rows('SELECT count(*)::int AS n FROM import_runs')).toEqual([{ n: 0 }])

    // A refund list's preview: its pay orders read from the team database, the refundable amount
    // taken off by the list's earlier refunds, a refund numbered again under another order.
    const refunds = refundCsv([
      ['PAID-1', 'R1', '6.00', '退款成功', '', '2026-12-02 10:00:00'],
      ['PAID-1', 'R2', '6.00', '退款成功', '', '2026-12-02 10:00:00'],
      ['NOT-HERE', 'R3', '1.00', '退款中', '', '2026-12-02 10:00:00'],
      ['HAVE-1', 'R1', '1.00', '退款中', '', '2026-12-02 10:00:00'],
      ['PAID-1', 'R1', '6.00', '退款成功', '', '2026-12-02 10:00:00'],
    ])
    const teamRefunds = await dispatchTeam(amy, 'imports.preview', {
      file: await upload(amy, 'refunds.csv', refunds),
      type: 'refund',
      merchant: 'ali',
      rows: 10,
    })
    const fileRefunds = await dispatch(world.ctx, 'imports.preview', {
      file: onFile('refunds.csv', refunds),
      type: 'refund',
      merchant: 'ali',
      rows: 10,
    })
    expect(teamRefunds).toEqual(fileRefunds)
    expect(teamRefunds.summary).toMatchObject({ inserted: 1, duplicates: 1, rejected: 3 })
  })

  it('an import: a bad row refused by its line, the good ones in, progress told, the operator audited', async () => {
    const list = csv([
      ['RUN-1', '1.00', '支付中', 'a', '', '2026-12-03 10:00:00'],
      ['RUN-2', '2.00', '支付中', 'b', '', '2026-12-03 10:00:00'],
      ['RUN-3', 'oops', '支付中', 'c', '', '2026-12-03 10:00:00'],
      ['RUN-4', '4.00', '支付中', 'd', '', '2026-12-03 10:00:00'],
    ])
    const handle = await upload(amy, 'run.csv', list)
    const fileHandle = onFile('run.csv', list)
    // 导出被拒绝的行 of the file on preview: every row it would refuse, as the file's export writes them.
    const source = { merchant: 'ali', type: 'pay' as const }
    const previewed = await dispatchTeam(amy, 'export.run', {
      kind: 'rejected',
      source: { ...source, file: handle },
    })
    const filePreviewed = await dispatch(world.ctx, 'export.run', {
      kind: 'rejected',
      source: { ...source, file: fileHandle },
    })
    expect(previewed.rows).toBe(1)
    expect(downloaded(amy, previewed.downloadPath)).toBe(downloaded(world.ctx, filePreviewed.downloadPath))
    const { seen, off } = progressOf(amy)
    const summary = await dispatchTeam(amy, 'imports.run', { file: handle, merchant: 'ali', taskId: 'run-1' })
    off()
    expect(summary).toMatchObject({ file: 'run.csv', rows: 4, inserted: 3, rejected: 1 })
    expect(summary.errors).toEqual([expect.objectContaining({ line: 4, column: '金额(元)' })])
    expect(summary.batchId).toBeUndefined()
    expect(seen.filter((p) => p.taskId === 'run-1').at(-1)).toEqual({
      taskId: 'run-1',
      kind: 'import',
      done: 4,
      total: 4,
      finished: true,
      error: null,
    })
    expect(
      await rows('SELECT order_no FROM pay_orders WHERE import_id = $1 ORDER BY order_no', [
        summary.importId,
      ]),
    ).toEqual([{ order_no: 'RUN-1' }, { order_no: 'RUN-2' }, { order_no: 'RUN-4' }])
    // The refused row kept for the window's 导出被拒绝的行, the run and its audit naming the operator.
    expect(await rows('SELECT line FROM import_errors WHERE import_id = $1', [summary.importId])).toEqual([
      { line: 4 },
    ])
    expect(
      await rows('SELECT operator, rejected FROM import_runs WHERE id = $1', [summary.importId]),
    ).toEqual([{ operator: 'amy', rejected: 1 }])
    expect(
      await rows(
        `SELECT operator, system_user, transport, target, detail FROM audit_log WHERE action = 'import_run'`,
      ),
    ).toEqual([
      {
        operator: 'amy',
        system_user: 'amy',
        transport: 'http',
        target: 'run.csv',
        detail: JSON.stringify({ importId: summary.importId, inserted: 3, rejected: 1 }),
      },
    ])
    // The rows it refused, as the desktop's file exports those its own import of the list kept.
    const kept = await dispatchTeam(amy, 'export.run', { kind: 'rejected', importId: summary.importId })
    const fileRun = await dispatch(world.ctx, 'imports.run', { file: fileHandle, merchant: 'ali' })
    const fileKept = await dispatch(world.ctx, 'export.run', { kind: 'rejected', importId: fileRun.importId })
    expect(kept.rows).toBe(1)
    const keptText = downloaded(amy, kept.downloadPath)
    expect(keptText).toBe(downloaded(world.ctx, fileKept.downloadPath))
    // The list's own header and the refused row whole, with its line.
    expect(keptText.split('\r\n')[0]).toContain('orderNo,金额(元),status')
    expect(keptText.split('\r\n')[1]).toMatch(/^\D*4\D.*RUN-3,oops/)
    expect(
      await rows(`SELECT operator, detail FROM audit_log WHERE action = 'export_written' ORDER BY id`),
    ).toEqual([
      { operator: 'amy', detail: JSON.stringify({ kind: 'rejected', rows: 1, total: false }) },
      { operator: 'amy', detail: JSON.stringify({ kind: 'rejected', rows: 1, total: false }) },
    ])
    // Imported, the file is let go: its handle reaches nothing any more.
    await expect(dispatchTeam(amy, 'imports.preview', { file: handle, merchant: 'ali' })).rejects.toThrow()

    // The batch the window starts from the import: exactly the trades it brought in, synced.
    for (const no of ['RUN-1', 'RUN-2', 'RUN-4'])
      world.gatewayOrder({ merchant: 'ali', orderNo: no, amount: 100, state: 'WAIT_BUYER_PAY' })
    const batch = await dispatchTeam(bob, 'batches.start', { importId: summary.importId })
    expect(batch).toMatchObject({ total: 3, importId: summary.importId })
    await bob.runs.get(batch.id)?.done
    expect(
      await rows(
        `SELECT p.order_no FROM batch_items i JOIN pay_orders p ON p.id = i.trade_id
          WHERE i.batch_id = $1 ORDER BY p.order_no`,
        [batch.id],
      ),
    ).toEqual([{ order_no: 'RUN-1' }, { order_no: 'RUN-2' }, { order_no: 'RUN-4' }])
    expect(
      await rows(
        `SELECT DISTINCT r.trade_no FROM batch_items i JOIN sync_records r ON r.id = i.sync_record_id
          WHERE i.batch_id = $1 ORDER BY r.trade_no`,
        [batch.id],
      ),
    ).toEqual([{ trade_no: 'RUN-1' }, { trade_no: 'RUN-2' }, { trade_no: 'RUN-4' }])
  })

  it('an import with its sync: the batch of every trade it names, run by this desktop', async () => {
    const list = csv([
      ['SYNC-1', '1.00', '支付中', 'a', '', '2026-12-03 10:00:00'],
      ['SYNC-1', '1.00', '支付中', 'a', '', '2026-12-03 10:00:00'],
      ['HAVE-1', '5.00', '支付中', 'milk', '', '2026-12-01 10:00:00'],
    ])
    world.gatewayOrder({ merchant: 'ali', orderNo: 'SYNC-1', amount: 100, state: 'WAIT_BUYER_PAY' })
    const summary = await dispatchTeam(amy, 'imports.run', {
      file: await upload(amy, 'sync.csv', list),
      merchant: 'ali',
      sync: { concurrency: 2, qps: 10, name: 'from the window' },
    })
    expect(summary).toMatchObject({ inserted: 1, duplicates: 1, batchTotal: 2 })
    await amy.runs.get(summary.batchId!)?.done
    expect(await rows('SELECT name, import_id, total FROM batches WHERE id = $1', [summary.batchId])).toEqual(
      [{ name: 'from the window', import_id: summary.importId, total: 2 }],
    )
  })

  it('a cancelled import stops after the page in progress and says so; what it wrote stays', async () => {
    const many = csv(
      Array.from({ length: 12_000 }, (_, i) => [
        `MANY-${String(i).padStart(5, '0')}`,
        '1.00',
        '支付中',
        '',
        '',
        '2026-12-04 10:00:00',
      ]),
    )
    const handle = await upload(amy, 'many.csv', many)
    // The window's 取消 as soon as the first page is in; another desktop's host runs no such task.
    const asked: Array<Promise<{ cancelled: boolean }>> = []
    const off = amy.on('task.progress', (p) => {
      if (p.taskId !== 'many' || p.finished || asked.length) return
      asked.push(dispatchTeam(bob, 'imports.cancel', { taskId: 'many' }))
      asked.push(dispatchTeam(amy, 'imports.cancel', { taskId: 'many' }))
    })
    const stopped = await dispatchTeam(amy, 'imports.run', {
      file: handle,
      merchant: 'ali',
      taskId: 'many',
    }).then(
      () => null,
      (err: { id: string; params: { file: string; rows: number } }) => err,
    )
    off()
    expect(await Promise.all(asked)).toEqual([{ cancelled: false }, { cancelled: true }])
    expect(stopped).toMatchObject({ id: 'import.cancelled', params: { file: 'many.csv' } })
    // The first page (5,000 rows, or the reader's batch that ran over) went in, and nothing after it.
    const [{ n }] = (await rows(
      `SELECT count(*)::int AS n FROM pay_orders WHERE order_no LIKE 'MANY-%'`,
    )) as [{ n: number }]
    expect(n).toBe(stopped!.params.rows)
    expect(n).toBeGreaterThanOrEqual(5_000)
    expect(n).toBeLessThan(10_000)
    // Nothing in flight under that id any more, and no audit of an import that did not finish.
    expect(await dispatchTeam(amy, 'imports.cancel', { taskId: 'many' })).toEqual({ cancelled: false })
    expect(await rows(`SELECT count(*)::int AS n FROM audit_log WHERE target = 'many.csv'`)).toEqual([
      { n: 0 },
    ])
  })

  it('a desktop that closes stops its import after the page in progress, before its database', async () => {
    const cy = new TeamHost(await desk('cy'), tempDir())
    const many = csv(
      Array.from({ length: 12_000 }, (_, i) => [
        `CLOSE-${String(i).padStart(5, '0')}`,
        '1.00',
        '支付中',
        '',
        '',
        '2026-12-04 10:00:00',
      ]),
    )
    const handle = await upload(cy, 'closing.csv', many)
    let closed: Promise<void> | null = null
    cy.on('task.progress', (p) => {
      if (!p.finished && !closed) closed = cy.close()
    })
    const stopped = await dispatchTeam(cy, 'imports.run', { file: handle, merchant: 'ali' }).then(
      () => null,
      (err: { id: string; params: { rows: number } }) => err,
    )
    await closed
    expect(stopped).toMatchObject({ id: 'import.cancelled', params: { file: 'closing.csv' } })
    const [{ n }] = (await rows(
      `SELECT count(*)::int AS n FROM pay_orders WHERE order_no LIKE 'CLOSE-%'`,
    )) as [{ n: number }]
    expect(n).toBe(stopped!.params.rows)
    expect(n).toBeLessThan(12_000)
    // The run was finished with what its pages wrote.
    expect(
      await rows(`SELECT inserted, finished_at IS NOT NULL AS finished FROM import_runs
      WHERE file_name = 'closing.csv'`),
    ).toEqual([{ inserted: n, finished: true }])
  })

  it('the template names the team\u2019s first merchant and imports as it stands', async () => {
    const out = await dispatchTeam(amy, 'imports.template', { type: 'pay' })
    expect(out).toMatchObject({ rows: 2, downloadPath: expect.stringMatching(/^\/downloads\//) })
    const text = downloaded(amy, out.downloadPath)
    expect(text.split('\r\n')[0]).toContain('商户订单号')
    expect(text.split('\r\n')[1]).toContain(',ali,')
    const summary = await dispatchTeam(amy, 'imports.run', { file: await upload(amy, 'template.csv', text) })
    expect(summary).toMatchObject({ inserted: 2, rejected: 0 })
  })
})
