import type { Db } from './connection'
import { stmt } from './connection'

export function readSettings(db: Db): Record<string, unknown> {
  const rows = stmt<[], { key: string; value: string }>(db, 'SELECT key, value FROM settings').all()
  return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]))
}

export function writeSettings(db: Db, values: Record<string, unknown>): void {
  const put = stmt(
    db,
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  )
  db.transaction(() => {
    for (const [k, v] of Object.entries(values)) put.run(k, JSON.stringify(v))
  })()
}
