import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

// The journal beside the database (paysync.db -> paysync.journal): what the database refused to take,
// kept on disk until it takes it (docs/domain.md section 6.8). An attempt's final write holds the
// gateway's answer; when the disk is full or the database stays locked, that answer would otherwise
// live only in memory. So it is appended here, one JSON line, synced to disk, readable by this user
// alone, and the next opening of the database (the app, `paysync serve`, any command) writes it.
//
// Several processes may share a database, so several may append and replay at once. No entry may be
// lost between them, and none applied twice:
// - A replay first claims each journal file by renaming it (atomic: one claimant wins), reads the
//   claimed copy, and deletes it only once every entry in it is written. A copy it could not finish
//   stays, under its claimed name, and the next replay claims it again.
// - An append that raced a claim (it opened the file before the rename and wrote after it) cannot
//   know whether the claimant read its line, so it checks, after syncing, that the name still leads
//   to the file it wrote, and appends again to a new one if not.
// - A line may thus be read twice; the database remembers every entry it took (journal_applied), so
//   the second reading skips it.

export interface JournalEntry {
  /** Unique per entry; how a replay knows the database has it already. */
  id: string
}

/** The journal of a database file; none for an in-memory database. */
export function journalFileFor(dbFile: string): string | null {
  if (dbFile === ':memory:' || dbFile === '') return null
  const resolved = path.resolve(dbFile)
  return path.join(path.dirname(resolved), `${path.basename(resolved, path.extname(resolved))}.journal`)
}

/**
 * This computer's journal of a team database: in the data folder (the database has no folder of
 * its own here), one per server and database, made private to this user.
 */
export function teamJournalFileFor(
  dataDir: string,
  t: { host: string; port: string; database: string },
): string {
  const dir = path.join(dataDir, 'team-journals')
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const name = `${t.host}_${t.port}_${t.database}`.replace(/[^A-Za-z0-9._-]/g, '_')
  return path.join(dir, `${name}.journal`)
}

/** Appends one entry and returns once it is on disk. Throws what the file system refuses (ENOSPC ...). */
export function appendToJournal(file: string, entry: JournalEntry): void {
  // A leading newline ends a line torn by a crash mid-append, so it never swallows this one.
  const line = Buffer.from(`\n${JSON.stringify(entry)}\n`, 'utf8')
  for (let tries = 0; tries < 3; tries++) {
    const created = !fs.existsSync(file)
    const fd = fs.openSync(file, 'a', 0o600)
    let written: fs.Stats
    try {
      // The mode of `open` only applies to a file it creates (and the umask may widen nothing).
      if (process.platform !== 'win32' && (fs.fstatSync(fd).mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600)
      let at = 0
      while (at < line.length) at += fs.writeSync(fd, line, at, line.length - at)
      fs.fsyncSync(fd)
      written = fs.fstatSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    if (created) syncFolder(path.dirname(file))
    if (sameFile(file, written)) return
  }
  throw new Error(`the journal ${file} kept being taken away while it was written`)
}

function sameFile(file: string, written: fs.Stats): boolean {
  try {
    const now = fs.statSync(file)
    return now.ino === written.ino && now.dev === written.dev
  } catch {
    return false
  }
}

/** A new file's name is durable once its folder is synced; where a folder cannot be opened, it is not. */
function syncFolder(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    // Windows cannot open a folder as a file; NTFS journals the name itself.
  }
}

/** A journal file this process has claimed, with its entries in the order they were appended. */
export interface ClaimedJournal<E extends JournalEntry> {
  file: string
  entries: E[]
  /** Lines that were not whole entries: an append torn by a crash. */
  torn: number
}

/**
 * Claims the journal and any copy an earlier replay left unfinished, and reads them. Nothing when
 * there is no journal (the usual case: one `readdir`).
 */
export function claimJournal<E extends JournalEntry>(file: string): Array<ClaimedJournal<E>> {
  const dir = path.dirname(file)
  const base = path.basename(file)
  const claimed: Array<ClaimedJournal<E>> = []
  for (const name of journalNames(file)) {
    const mine = path.join(dir, `${base}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.replay`)
    let text: string
    try {
      fs.renameSync(path.join(dir, name), mine)
      text = fs.readFileSync(mine, 'utf8')
    } catch {
      // Another process claimed it first (or took our claim away before we read it: it holds the
      // file now, and either writes every entry or leaves the file for the next replay).
      continue
    }
    claimed.push({ file: mine, ...parse<E>(text) })
  }
  return claimed
}

function parse<E extends JournalEntry>(text: string): { entries: E[]; torn: number } {
  const entries: E[] = []
  let torn = 0
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const entry = JSON.parse(line) as E
      if (typeof entry === 'object' && entry !== null && typeof entry.id === 'string') entries.push(entry)
      else torn += 1
    } catch {
      torn += 1
    }
  }
  return { entries, torn }
}

/** Every entry of a claimed copy is in the database: the copy goes. */
export function dropClaimed(claimed: ClaimedJournal<JournalEntry>): void {
  fs.rmSync(claimed.file, { force: true })
}

/** Whether anything waits in the journal (for a cheap check before a replay). */
export function journalWaiting(file: string): boolean {
  return journalNames(file).length > 0
}

/** The journal's files: the journal itself and the copies replays claimed and could not finish. */
function journalNames(file: string): string[] {
  const base = path.basename(file)
  const ours = (n: string) => n === base || (n.startsWith(`${base}.`) && n.endsWith('.replay'))
  try {
    return fs
      .readdirSync(path.dirname(file), { withFileTypes: true })
      .filter((e) => e.isFile() && ours(e.name))
      .map((e) => e.name)
      .sort()
  } catch {
    return []
  }
}
