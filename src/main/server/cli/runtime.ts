import type { Command } from 'commander'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import type { ServiceContext } from '../../services/context'
import type { Reads } from '../../services/reads'
import type { TeamDesk } from '../../services/team-desk'
import type { TeamReads } from '../../services/team-reads'
import { isPgUrl } from '../../store/pg/connect'
import { bookFile, defaultDbFile } from '../../store/paths'
import { processIo, type Io } from './output'

export { EXIT, exitState } from './exit'

export interface GlobalOptions {
  db?: string
  json?: boolean
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>()
}

export function ioOf(cmd: Command): Io {
  return processIo(!!globals(cmd).json)
}

/** The database a command works on, and what named it: `--db`, PAYSYNC_DB or the data folder. */
export function dbFileOf(cmd: Command): { file: string; named: '--db' | 'PAYSYNC_DB' | null } {
  const g = globals(cmd)
  if (g.db) return { file: path.resolve(bookFile(g.db, '--db')), named: '--db' }
  return { file: defaultDbFile(), named: process.env.PAYSYNC_DB ? 'PAYSYNC_DB' : null }
}

/**
 * The database of a command that reads the books. A mistyped --db used to become a new empty
 * database, and a nightly `sync --pending` on it reported success every night (issue 14, item 5):
 * a file that is not there is refused, and nothing is created, not even its folder. Creating one
 * is always explicit: `merchant add`, `serve --create`, `demo`, or the app's first start.
 */
export function existingDbFile(cmd: Command): string {
  const { file, named } = dbFileOf(cmd)
  if (!fs.existsSync(file)) throw new AppError('not_found', noDatabase(file, named))
  return file
}

export function noDatabase(file: string, named: '--db' | 'PAYSYNC_DB' | null): string {
  return (
    `no database at ${file}; run \`paysync merchant add\` or start the app to create one, ` +
    (named ? `or check ${named}` : 'or name one with --db')
  )
}

/**
 * PAYSYNC_KEY_FILE: a key file given by path instead of the one beside the database, such as the
 * team's key file a member keeps in a private folder (docs/team-mode.md B8.7).
 */
function keyFileFromEnv(): string | undefined {
  const named = process.env.PAYSYNC_KEY_FILE
  return named ? path.resolve(named) : undefined
}

/**
 * Opens the database named by --db / PAYSYNC_DB for one command and closes it afterwards. Only a
 * command that creates the books (`merchant add`) says `create`; every other one refuses a file that
 * is not there. A command that only reads (the lists) says `readsOnly`: no checkpoint thread starts.
 */
export async function withContext<T>(
  cmd: Command,
  fn: (ctx: ServiceContext, io: Io) => Promise<T> | T,
  options: { create?: boolean; readsOnly?: boolean } = {},
): Promise<T> {
  // The services load with the first command that opens the books: `paysync --help` and a refused
  // flag never load the engine, the store or the gateways.
  const { ServiceContext, systemUser } = await import('../../services/context')
  const ctx = new ServiceContext({
    dbFile: options.create ? dbFileOf(cmd).file : existingDbFile(cmd),
    passphrase: process.env.PAYSYNC_PASSPHRASE || undefined,
    keyFile: keyFileFromEnv(),
    transport: 'cli',
    // The command line names no one in Settings: PAYSYNC_OPERATOR, else the computer's user, which
    // every row records beside it anyway, with the transport `cli`.
    operator: process.env.PAYSYNC_OPERATOR || systemUser(),
    systemUser: systemUser(),
    readsOnly: options.readsOnly,
  })
  try {
    return await fn(ctx, ioOf(cmd))
  } finally {
    await ctx.close()
  }
}

/** The team database that --db or PAYSYNC_DB names, if it names one rather than a file. */
export function teamAddressOf(cmd: Command): string | null {
  const named = (globals(cmd).db ?? process.env.PAYSYNC_DB ?? '').trim()
  return isPgUrl(named) ? named : null
}

/** A team database's books for one command, its schema brought up to date; closed afterwards. */
export async function withTeamBooks<T>(
  address: string,
  cmd: Command,
  fn: (books: TeamReads, io: Io) => Promise<T>,
): Promise<T> {
  const { TeamReads } = await import('../../services/team-reads')
  const books = await TeamReads.open(address)
  try {
    return await fn(books, ioOf(cmd))
  } finally {
    await books.close()
  }
}

/**
 * A team database worked by one command (docs/team-mode.md B8.9): read, its merchants' secrets opened
 * with PAYSYNC_PASSPHRASE or PAYSYNC_KEY_FILE, the engine writing there; closed afterwards.
 */
export async function withTeamDesk<T>(
  address: string,
  cmd: Command,
  fn: (desk: TeamDesk, io: Io) => Promise<T>,
): Promise<T> {
  const desk = await openTeamDesk(address, 'cli')
  try {
    return await fn(desk, ioOf(cmd))
  } finally {
    await desk.close()
  }
}

/** A team database opened for this process (services/team-desk.ts `TeamDesk.openHere`). */
export async function openTeamDesk(address: string, transport: 'cli' | 'http'): Promise<TeamDesk> {
  const { TeamDesk } = await import('../../services/team-desk')
  return TeamDesk.openHere(address, transport)
}

/**
 * The books of a command that only reads the lists: the database file, or a team database when --db
 * or PAYSYNC_DB gives a postgres:// address (docs/team-mode.md B8.6). Closed afterwards.
 */
export async function withReads<T>(cmd: Command, fn: (r: Reads, io: Io) => Promise<T>): Promise<T> {
  const address = teamAddressOf(cmd)
  if (!address) return withContext(cmd, (ctx, io) => fn(ctx, io), { readsOnly: true })
  return withTeamBooks(address, cmd, fn)
}
