import type { Db } from './connection'
import { stmt } from './connection'
import { all, both, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

export const readSettingsOn = both(function* (x: Exec): Q<Record<string, unknown>> {
  const rows = yield* all<{ key: string; value: string }>(x, 'SELECT key, value FROM settings')
  return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]))
})

export const readSettings = (db: Db): Record<string, unknown> => readSettingsOn.sync(sqliteExec(db))

export function writeSettings(db: Db, values: Record<string, unknown>): void {
  const put = stmt(
    db,
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  )
  db.transaction(() => {
    for (const [k, v] of Object.entries(values)) put.run(k, JSON.stringify(v))
  })()
}
