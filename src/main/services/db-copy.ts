import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { openStore, type Db, type OpenOptions } from '../store/connection'
import { copyPlan } from '../store/copy/plan'
import { pgSide, settleCopied } from '../store/copy/pg-side'
import { addRow, copyTables, type CopyProgress, type CopyResult } from '../store/copy/run'
import { rowByKey, sqliteSide } from '../store/copy/sqlite-side'
import { keyringSchemes, passphraseOpens, secretsTravel } from '../store/keyring'
import { pgErrorInWords } from '../store/pg/check'
import { connectPg, isPgUrl, type PgTarget } from '../store/pg/connect'
import { migratePg } from '../store/pg/migrate'
import { teamDbTarget } from './team-db'

// `paysync db copy` (docs/team-mode.md B8.3): a desktop's database file into a team database, or
// a team database out into a file for an archive. Both ends are brought to this version's schema
// first (a new file is made, an empty team database migrated), so their tables are the same.
// Merchant secrets travel as stored: sealed, in the same blobs, under the same wrapped data key; a
// file whose secrets only this computer's key store opens is refused before anything is written
// (docs/team-mode.md B8.7): the team database would hold secrets no other desktop can use.

export interface CopySummary extends CopyResult {
  from: string
  to: string
  ms: number
}

export async function copyDatabase(
  from: string,
  to: string,
  progress?: (p: CopyProgress) => void,
  /** The team passphrase the person means the copy to open with (PAYSYNC_PASSPHRASE): checked first. */
  passphrase?: string,
): Promise<CopySummary> {
  const fromPg = isPgUrl(from)
  if (fromPg === isPgUrl(to)) throw AppError.say('invalid_input', 'dbCopy.oneEachSide')
  const target = teamDbTarget(fromPg ? from : to)
  const file = path.resolve(fromPg ? to : from)
  if (!fromPg && !fs.existsSync(file)) throw AppError.say('not_found', 'dbCopy.noSource', { file })
  // An archive file made for this copy goes again when the copy does not happen.
  const madeHere = fromPg && !fs.existsSync(file)
  return runCopy({ fromPg, file, target, madeHere, open: () => openStore(file), passphrase }, progress)
}

/**
 * The database file a running app works on, into a team database (设置 → 团队数据库). The app already
 * brought the file to this version's schema, so it is opened read only: no second writer beside the
 * app's own connection, and, the file being in WAL mode, one read transaction is a snapshot the app's
 * commits meanwhile do not reach (docs/team-mode.md B8.3 item 5). `store` is how the app opens its
 * files (Electron's build of better-sqlite3).
 */
export async function copyFileIn(
  file: string,
  address: string,
  progress?: (p: CopyProgress) => void,
  store: OpenOptions = {},
  record?: (result: CopyResult, to: string) => number,
): Promise<CopySummary> {
  const target = teamDbTarget(address)
  return runCopy(
    {
      fromPg: false,
      file: path.resolve(file),
      target,
      madeHere: false,
      open: () => openStore(file, { ...store, readonly: true }),
      record,
    },
    progress,
  )
}

interface CopyEnds {
  /** The team database is the source (an archive out of it), else the file is. */
  fromPg: boolean
  file: string
  target: PgTarget
  /** The file did not exist before this copy: it goes again if the copy fails. */
  madeHere: boolean
  open: () => Db
  /**
   * After rows were copied: the caller's audit row of the copy, written to the file by its own
   * connection (`to` names the team database masked), whose id is answered. The same row goes into the team database too, so that the two
   * still hold the same rows and a second copy finds them equal (B8.3 item 4) instead of refusing.
   */
  record?: (result: CopyResult, to: string) => number
  passphrase?: string
}

async function runCopy(
  { fromPg, file, target, madeHere, open, record, passphrase }: CopyEnds,
  progress?: (p: CopyProgress) => void,
): Promise<CopySummary> {
  const started = Date.now()
  // A file going in is looked at before anything connects, so the refusal needs no team database.
  const source = fromPg ? null : await openTravelling(open, passphrase)
  let client
  try {
    client = await connectPg(target)
  } catch (err) {
    source?.close()
    throw pgErrorInWords(err, target)
  }
  let db: Db
  try {
    db = source ?? open()
  } catch (err) {
    await client.end()
    throw err
  }
  const postgres = pgSide(client, target.masked)
  const sqlite = sqliteSide(db, file)
  let failed = false
  try {
    await migratePg(client, target)
    const plan = copyPlan(db)
    const result = await copyTables(plan, fromPg ? postgres : sqlite, fromPg ? sqlite : postgres, progress)
    if (record && result.outcome === 'copied' && !fromPg) {
      const auditLog = plan.find((t) => t.name === 'audit_log')!
      const row = rowByKey(db, auditLog, [record(result, target.masked)])
      // The copy is committed: should the team database refuse this row now, the copy still stands,
      // and a second copy names the audit log as the table that differs.
      if (row) await addRow(postgres, auditLog, row).catch(() => undefined)
    }
    // The copy stands either way: autovacuum settles the tables later should this be refused.
    if (result.outcome === 'copied' && !fromPg) await settleCopied(client, plan).catch(() => undefined)
    return {
      ...result,
      from: fromPg ? target.masked : file,
      to: fromPg ? file : target.masked,
      ms: Date.now() - started,
    }
  } catch (err) {
    failed = true
    // A sentence of the check where one fits (no right to build the schema), else PostgreSQL's own
    // words (a dropped connection, ...), never with the password in them.
    throw pgErrorInWords(err, target)
  } finally {
    await sqlite.close()
    await postgres.close().catch(() => {})
    if (failed && madeHere)
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true })
  }
}

/**
 * The file to copy in, once it is known that its merchant secrets open on other desktops too, and
 * that the passphrase the person gave, if any, is the one they open with: a team told the wrong one
 * would find out only on their own desktops.
 */
async function openTravelling(open: () => Db, passphrase: string | undefined): Promise<Db> {
  const db = open()
  try {
    if (!secretsTravel(db)) throw AppError.say('conflict', 'dbCopy.secretsStayHere')
    if (passphrase !== undefined && keyringSchemes(db).includes('passphrase'))
      if (!(await passphraseOpens(db, passphrase)))
        throw AppError.say('secrets_locked', 'secrets.wrongPassphrase')
    return db
  } catch (err) {
    db.close()
    throw err
  }
}
