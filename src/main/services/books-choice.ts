import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { pgTarget } from '../store/pg/connect'
import type { SafeStorageWrapper } from '../store/keyring'

// Which books the desktop app opens (docs/team-mode.md B8.14): its own file in the data folder, or a
// team database chosen in 设置 → 团队数据库. The choice is this computer's, kept in the data folder's
// `books.json`, this user's alone. The address carries the database's password: it is kept sealed by
// the operating system's key store, or, on a computer without one, only when it holds no password
// (which then comes from ~/.pgpass or PGPASSWORD, as for any PostgreSQL client).

export type BooksChoice = { kind: 'file' } | { kind: 'team'; address: string }

interface Stored {
  team?: { sealed?: string; address?: string }
}

const FILE = 'books.json'

/** Whether the address names a password (`postgres://user:password@…`, or `password=` in its query). */
export function addressHasPassword(address: string): boolean {
  try {
    const u = new URL(address)
    return u.password !== '' || u.searchParams.has('password')
  } catch {
    return /:[^@/]*@/.test(address)
  }
}

export class BooksChooser {
  constructor(
    private readonly dataDir: string,
    private readonly seal: SafeStorageWrapper | undefined,
  ) {}

  private get file(): string {
    return path.join(this.dataDir, FILE)
  }

  /** The books chosen last; the file's when nothing was chosen, or the choice cannot be read. */
  async saved(): Promise<BooksChoice> {
    let stored: Stored
    try {
      stored = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Stored
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        console.error(
          `paysync: ${this.file} could not be read (${(err as Error).message}); the file's books open`,
        )
      return { kind: 'file' }
    }
    const team = stored.team
    if (team?.address) return { kind: 'team', address: team.address }
    if (team?.sealed) {
      if (!this.seal) throw AppError.say('store', 'teamDb.choiceSealed')
      const plain = await this.seal.unwrap(Buffer.from(team.sealed, 'base64'))
      return { kind: 'team', address: plain.toString('utf8') }
    }
    return { kind: 'file' }
  }

  /** Keeps the team database as the books to open; refused when its password could only be kept bare. */
  async useTeam(address: string): Promise<void> {
    let team: Stored['team']
    if (this.seal) {
      const sealed = await this.seal.wrap(Buffer.from(address, 'utf8'))
      team = { sealed: Buffer.from(sealed).toString('base64') }
    } else if (addressHasPassword(address)) {
      throw AppError.say('invalid_input', 'teamDb.passwordNotKept', { address: pgTarget(address).masked })
    } else team = { address }
    this.write({ team })
  }

  /** Back to this computer's own file. */
  useFile(): void {
    this.write({})
  }

  private write(stored: Stored): void {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 })
    // Whole or not at all: a half-written choice would open the file's books without a word.
    const tmp = `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, `${JSON.stringify(stored)}\n`, { mode: 0o600 })
    fs.renameSync(tmp, this.file)
  }
}
