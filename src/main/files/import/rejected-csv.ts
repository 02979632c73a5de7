import fs from 'node:fs'
import { csvField, guardId } from '../export/csv'
import { UnreadableFileError } from './row-source'

// The rows an import refused, as a file to fix and import again (issue 14 item 8): 行号 and 原因 first,
// then the file's own columns under its own headers. The conventions of docs/cli.md section 4 (BOM,
// CRLF, RFC 4180 quoting, long digit strings kept as text with a trailing tab, a formula guard) are
// ones the import undoes (fields.ts cleanCell strips the tab and a guard's apostrophe), so a fixed
// file goes back in as it came out. Written synchronously, a buffer at a time: the importer writes
// from inside its transactions.

const FLUSH_AT = 64 << 10

export class RejectedRowsCsv {
  private fd: number | null
  private buffer = ''
  rows = 0

  /** Creates `file`; an existing file is refused unless `overwrite` (a name the program chose). */
  constructor(
    readonly file: string,
    headers: string[],
    overwrite = false,
  ) {
    this.fd = fs.openSync(file, overwrite ? 'w' : 'wx', 0o600)
    this.buffer = '\uFEFF' + ['行号', '原因', ...headers].map((h) => csvField(guardId(h))).join(',') + '\r\n'
  }

  add(line: number, reason: string, cells: readonly string[]): void {
    let text = `${line},${csvField(guardId(reason))}`
    for (const c of cells) text += ',' + csvField(guardId(c))
    this.buffer += text + '\r\n'
    this.rows += 1
    if (this.buffer.length >= FLUSH_AT) this.flush()
  }

  private flush(): void {
    if (this.fd === null || this.buffer === '') return
    fs.writeSync(this.fd, this.buffer, null, 'utf8')
    this.buffer = ''
  }

  close(): void {
    if (this.fd === null) return
    try {
      this.flush()
    } finally {
      fs.closeSync(this.fd)
      this.fd = null
    }
  }
}

/** Opens the file of refused rows, or refuses the import with a sentence saying why it cannot. */
export function openRejected(
  file: string,
  headers: string[],
  overwrite: boolean | undefined,
): RejectedRowsCsv {
  try {
    return new RejectedRowsCsv(file, headers, overwrite)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw UnreadableFileError.say('import.rejectedExists', { file })
    throw new UnreadableFileError(`cannot write ${file}: ${(err as Error).message}`)
  }
}
