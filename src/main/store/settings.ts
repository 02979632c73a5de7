import type { Db } from './connection'
import { all, both, run, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

export const readSettingsOn = both(function* (x: Exec): Q<Record<string, unknown>> {
  const rows = yield* all<{ key: string; value: string }>(x, 'SELECT key, value FROM settings')
  return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]))
})

export const readSettings = (db: Db): Record<string, unknown> => readSettingsOn.sync(sqliteExec(db))

/** The values given, each replacing its key's; the caller's transaction makes them one change. */
export const writeSettingsOn = both(function* (x: Exec, values: Record<string, unknown>): Q<void> {
  for (const [k, v] of Object.entries(values))
    yield* run(
      x,
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [k, JSON.stringify(v)],
    )
})

export function writeSettings(db: Db, values: Record<string, unknown>): void {
  db.transaction(() => writeSettingsOn.sync(sqliteExec(db), values))()
}
