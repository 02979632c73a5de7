import type { CopySummary } from '../../../services/db-copy'
import type { CopyProgress } from '../../../store/copy/run'
import { counted, table, type Io } from '../output'

// What `paysync db copy` prints: progress on standard error (a line per table and phase, and every
// second while a large one goes), the result on standard output, as text or one JSON document.

const PHASE = { copy: 'copying', verify: 'reading back', compare: 'comparing' } as const

export function progressPrinter(io: Io): (p: CopyProgress) => void {
  let last = { key: '', at: 0 }
  return (p) => {
    const key = `${p.phase} ${p.table}`
    const now = Date.now()
    if (key === last.key && now - last.at < 1_000 && p.done < p.total) return
    last = { key, at: now }
    io.err(
      `${PHASE[p.phase]} ${p.table}: ${p.done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')}`,
    )
  }
}

export function printCopy(io: Io, s: CopySummary): void {
  if (io.json) return io.out(JSON.stringify(s))
  const rows = s.tables.reduce((n, t) => n + t.rows, 0)
  io.out(
    table(
      s.tables.map((t) => ({ ...t, sha256: t.sha256.slice(0, 16) })),
      [
        ['table', 'table'],
        ['rows', 'rows'],
        ['sha256', 'sha256 (first 16)'],
      ],
    ),
  )
  const what = `${counted(s.tables.length, 'table')}, ${counted(rows, 'row')}`
  io.out(
    s.outcome === 'copied'
      ? `copied ${what} from ${s.from} to ${s.to} in ${s.ms} ms; counts and checksums match on both sides`
      : `${s.to} already holds the same rows as ${s.from} (${what}; counts and checksums equal): nothing was written`,
  )
  io.out(
    'merchant secrets were copied sealed, as stored: other desktops open them with the team passphrase or ' +
      "the team's key file (docs/team-mode.md B8.7)",
  )
}
