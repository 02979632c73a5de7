import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { openStore, type Db } from '../store/connection'
import { copyPlan } from '../store/copy/plan'
import { pgSide } from '../store/copy/pg-side'
import { copyTables, type CopyProgress, type CopyResult } from '../store/copy/run'
import { sqliteSide } from '../store/copy/sqlite-side'
import { classifyPgError } from '../store/pg/check'
import { connectPg, isPgUrl } from '../store/pg/connect'
import { migratePg } from '../store/pg/migrate'
import { teamDbTarget } from './team-db'

// `paysync db copy` (docs/team-mode.md B8.3): a desktop's database file into a team database, or
// a team database out into a file for an archive. Both ends are brought to this version's schema
// first (a new file is made, an empty team database migrated), so their tables are the same.
// Merchant secrets travel as stored: sealed, in the same blobs, under the same wrapped data key.

export interface CopySummary extends CopyResult {
  from: string
  to: string
  ms: number
}

export async function copyDatabase(
  from: string,
  to: string,
  progress?: (p: CopyProgress) => void,
): Promise<CopySummary> {
  const fromPg = isPgUrl(from)
  if (fromPg === isPgUrl(to)) throw AppError.say('invalid_input', 'dbCopy.oneEachSide')
  const target = teamDbTarget(fromPg ? from : to)
  const file = path.resolve(fromPg ? to : from)
  if (!fromPg && !fs.existsSync(file)) throw AppError.say('not_found', 'dbCopy.noSource', { file })
  const started = Date.now()
  // An archive file made for this copy goes again when the copy does not happen.
  const madeHere = fromPg && !fs.existsSync(file)
  let client
  try {
    client = await connectPg(target)
  } catch (err) {
    const { id, params } = classifyPgError(err, target)
    throw AppError.say('store', id, params)
  }
  let db: Db
  try {
    db = openStore(file)
  } catch (err) {
    await client.end()
    throw err
  }
  const postgres = pgSide(client, target.masked)
  const sqlite = sqliteSide(db, file)
  let failed = false
  try {
    await migratePg(client, target)
    const result = await copyTables(
      copyPlan(db),
      fromPg ? postgres : sqlite,
      fromPg ? sqlite : postgres,
      progress,
    )
    return {
      ...result,
      from: fromPg ? target.masked : file,
      to: fromPg ? file : target.masked,
      ms: Date.now() - started,
    }
  } catch (err) {
    failed = true
    if (err instanceof AppError) throw err
    // A sentence of the check where one fits (no right to build the schema), else PostgreSQL's own
    // words (a dropped connection, ...), never with the password in them.
    const { id, params } = classifyPgError(err, target)
    throw AppError.say('store', id, params)
  } finally {
    await sqlite.close()
    await postgres.close().catch(() => {})
    if (failed && madeHere)
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true })
  }
}
