import { AppError } from '../../../shared/errors'

// How the command line speaks: one JSON document with --json, aligned text otherwise, and errors as
// one sentence on standard error.

export interface Io {
  json: boolean
  out: (text: string) => void
  err: (text: string) => void
  /** True once the reader of standard output has gone (`paysync records | head -1`). */
  outputGone?: () => boolean
}

let stdoutGone = false
let watchingStdout = false

/**
 * A reader that stops early (`| head`, a closed pager) is no failure of the command: its output
 * goes nowhere from then on, and the command still finishes what it does, with its own exit code.
 * A sync piped into head must not stop halfway because nobody reads its summary; a list stops
 * paging. Without this, Node throws the pipe's EPIPE as an unhandled error and exits 1.
 */
function watchStdout(): void {
  if (watchingStdout) return
  watchingStdout = true
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') stdoutGone = true
    else throw err
  })
}

export const processIo = (json: boolean): Io => {
  watchStdout()
  return {
    json,
    out: (t) => {
      if (!stdoutGone) process.stdout.write(t.endsWith('\n') ? t : `${t}\n`)
    },
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    outputGone: () => stdoutGone,
  }
}

/** "1 record", "2 records": a count with its noun. */
export const counted = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** Display width: CJK characters take two columns in a terminal. */
function width(s: string): number {
  let w = 0
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1
  return w
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)))
}

export function table(
  rows: Array<Record<string, unknown>>,
  columns: Array<[key: string, header: string]>,
): string {
  const cells = rows.map((r) =>
    columns.map(([k]) => (r[k] === null || r[k] === undefined ? '' : String(r[k]))),
  )
  const widths = columns.map(([, h], i) =>
    Math.min(48, Math.max(width(h), ...cells.map((c) => width(c[i]!)))),
  )
  const clip = (s: string, w: number) => (width(s) > w ? `${[...s].slice(0, w - 1).join('')}…` : s)
  const line = (c: string[]) =>
    c
      .map((v, i) => pad(clip(v, widths[i]!), widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(columns.map(([, h]) => h)), ...cells.map(line)].join('\n')
}

export function printError(io: Io, err: unknown): void {
  const message = err instanceof AppError || err instanceof Error ? err.message : String(err)
  // SQLite's own words for a damaged file say nothing of what to do; paysync check says where.
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
    return io.err(
      `paysync: the database file is damaged (${message}); nothing was changed. ` +
        'Run paysync check to see where, and restore the file from a backup',
    )
  io.err(`paysync: ${message}`)
}
