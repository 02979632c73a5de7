import type { ImportNote } from '../../../shared/import-report'
import { say, type MessageId, type Params } from '../../../shared/messages'

// What an import says about a row besides refusing it (a repeat, a conflict, a warning, a skipped
// line), and the copies of cell text it keeps with it: a cell is a slice of a whole chunk of the file,
// and a kept slice would keep the chunk.

/** A copy of a string that keeps nothing else alive (a cell is a slice of a whole chunk of the file). */
export function detach(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8')
}

export function detachParams(params: Params): Params {
  const out: Params = {}
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === 'string' ? detach(v) : v
  return out
}

/** A note on a row: kept in `notes` while it holds fewer than `keep`, returned either way. */
export function note(
  notes: ImportNote[],
  keep: number,
  line: number,
  column: string | null,
  kind: ImportNote['kind'],
  id: MessageId,
  params: Params,
): ImportNote {
  const n: ImportNote = {
    line,
    column: column === null ? null : detach(column),
    kind,
    reason: say(id, params),
    said: { id, params: detachParams(params) },
  }
  if (notes.length < keep) notes.push(n)
  return n
}
