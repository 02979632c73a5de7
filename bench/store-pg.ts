import path from 'node:path'
import pg from 'pg'
import { copyDatabase } from '../src/main/services/db-copy'
import { TeamReads } from '../src/main/services/team-reads'
import { recordPage } from '../src/main/store/records'
import type { RecordListRequest } from '../src/shared/filters'
import { startCluster, whyNoCluster } from '../tests/helpers/pg-cluster'
import { exportPgFigures } from './export-pg'
import { figure, p95, type Figure } from './figures'
import { LIST_PAGES, LIST_SAMPLES, LIST_WARMUP, listFilters, type StoreFigures } from './store'

// The sync record screen's lists on a team database (docs/team-mode.md B8.6): the store part's
// million records, copied into PostgreSQL by `paysync db copy`'s own copyDatabase, then every filter
// and page of the store part read through the same store function the command line's
// `--db postgres://…` runs (recordPage.async on TeamReads' pool), each p95 printed beside SQLite's
// against the same 20 ms.

const LIMIT_MS = 20

/** A server to bench on: PAYSYNC_PG_URL's, else a throwaway cluster as the tests start one. */
export async function server(log: (s: string) => void): Promise<{ url: string; stop: () => void } | null> {
  if (process.env.PAYSYNC_PG_URL) return { url: process.env.PAYSYNC_PG_URL, stop: () => {} }
  const missing = whyNoCluster()
  if (missing) {
    log(`store-pg: skipped, ${missing} (or set PAYSYNC_PG_URL to a server whose user may create databases)`)
    return null
  }
  const cluster = await startCluster()
  // The bench stopped by Ctrl-C does not leave the cluster running either.
  process.once('exit', cluster.stop)
  return cluster
}

export async function onServer(url: string, sql: string): Promise<void> {
  const admin = new pg.Client(url)
  await admin.connect()
  try {
    await admin.query(sql)
  } finally {
    await admin.end()
  }
}

const ms = (v: number | undefined) =>
  v === undefined ? '-'.padEnd(15) : `${v.toFixed(2)} (${(v / LIMIT_MS).toFixed(2)})`.padEnd(15)

export async function storePgFigures(
  store: StoreFigures,
  n: number,
  log: (s: string) => void,
): Promise<Figure[]> {
  const srv = await server(log)
  if (!srv) return []
  const name = `paysync_bench_${process.pid}`
  const u = new URL(srv.url)
  u.pathname = `/${name}`
  const url = u.toString()
  let reads: TeamReads | null = null
  try {
    await onServer(srv.url, `CREATE DATABASE ${name}`)
    const copy = await copyDatabase(store.file, url)
    const copied = copy.tables.reduce((sum, t) => sum + t.rows, 0)
    const figures = [
      figure(
        `store-pg: db copy of ${n} sync records (${copied} rows in all)`,
        copy.ms / 1000,
        's',
        null,
        null,
      ),
    ]
    const t = performance.now()
    await onServer(url, 'ANALYZE')
    figures.push(figure('store-pg: ANALYZE after the copy', (performance.now() - t) / 1000, 's', null, null))
    reads = await TeamReads.open(url)
    let worst = 0
    const side = [
      `store list p95 beside each other, ms (ratio to ${LIMIT_MS} ms):`,
      `  ${''.padEnd(34)} ${'SQLite'.padEnd(15)}  PostgreSQL`,
    ]
    for (const [filter, f] of listFilters()) {
      for (const [where, offset] of LIST_PAGES) {
        const samples: number[] = []
        for (let i = 0; i < LIST_SAMPLES; i++) {
          const t0 = performance.now()
          await recordPage.async(reads.exec, { ...f, limit: 50, offset } as RecordListRequest)
          samples.push(performance.now() - t0)
        }
        const v = p95(samples.slice(LIST_WARMUP))
        worst = Math.max(worst, v)
        const sqlite = store.p95s.get(`${filter}, ${where}`)
        side.push(`  ${`${filter}, ${where}`.padEnd(34)} ${ms(sqlite)}  ${ms(v)}`)
        figures.push(figure(`store-pg list p95: ${filter}, ${where}`, v, 'ms', LIMIT_MS, { atMost: 1 }))
      }
    }
    for (const line of side) log(line)
    figures.splice(
      2,
      0,
      figure(`store-pg: worst list-query p95 at ${n} records (count + page)`, worst, 'ms', LIMIT_MS, {
        atMost: 1,
      }),
    )
    figures.push(...(await exportPgFigures(url, path.dirname(store.file), n)))
    return figures
  } finally {
    await reads?.close()
    if (process.env.PAYSYNC_PG_URL) await onServer(srv.url, `DROP DATABASE IF EXISTS ${name}`).catch(() => {})
    srv.stop()
  }
}
