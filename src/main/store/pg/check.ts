import type { ClientBase } from 'pg'
import { AppError } from '../../../shared/errors'
import type { TeamDbCheck } from '../../../shared/team-db'
import { SCHEMA_VERSION } from '../migrate'
import { connectPg, maskPassword, type PgTarget } from './connect'
import { readSchemaState, schemaRefusal } from './schema-state'

// The connection check of a team database (docs/team-mode.md B8.2): one sentence for what is
// wrong, told apart the way a person can act on it (the address, the password, the database's name,
// the database itself), and for what is right (empty, older, current). It only reads.

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be looked up',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'the connection was reset',
}

/**
 * A PostgreSQL failure as the check's sentence, an AppError a command prints (a lost connection, a
 * wrong password), never with the password in it; an AppError already is one.
 */
export function pgErrorInWords(err: unknown, target: PgTarget): unknown {
  if (err instanceof AppError) return err
  const { id, params } = classifyPgError(err, target)
  return AppError.say('store', id, params)
}

/** A failure to connect or to read, as the check's state and sentence. */
export function classifyPgError(
  err: unknown,
  target: PgTarget,
): Pick<TeamDbCheck, 'state' | 'id' | 'params'> {
  const where = { host: target.host, port: target.port }
  if (err instanceof AppError && err.id === 'teamDb.newerSchema')
    return { state: 'newer_schema', id: err.id, params: err.params ?? {} }
  if (err instanceof AppError && err.id === 'teamDb.foreign')
    return { state: 'foreign', id: err.id, params: err.params ?? {} }
  const e = err as { code?: string; message?: string }
  const message = maskPassword(String(e.message ?? err), target)
  if (e.code && UNREACHABLE[e.code])
    return {
      state: 'unreachable',
      id: 'teamDb.unreachable',
      params: { ...where, detail: UNREACHABLE[e.code]! },
    }
  if (/timeout/i.test(message))
    return { state: 'unreachable', id: 'teamDb.unreachable', params: { ...where, detail: 'timed out' } }
  if (/pg_hba\.conf/.test(message))
    return {
      state: 'unreachable',
      id: 'teamDb.unreachable',
      params: { ...where, detail: 'the server has no pg_hba.conf line for this computer' },
    }
  // 28P01 a wrong password, 28000 an unknown role; a server asking a password of an address without
  // one fails in the client, before it is sent.
  if (e.code === '28P01' || e.code === '28000' || /SASL|password/i.test(message))
    return { state: 'auth', id: 'teamDb.auth', params: { ...where, user: target.user } }
  if (e.code === '42501')
    return {
      state: 'no_permission',
      id: 'teamDb.noCreate',
      params: { ...where, database: target.database, user: target.user },
    }
  // It answers, and takes no more connections: the same sentence a run that meets it says.
  if (e.code === '53300') return { state: 'failed', id: 'storage.db_too_many_connections', params: where }
  if (e.code === '3D000')
    return { state: 'no_database', id: 'teamDb.noDatabase', params: { ...where, database: target.database } }
  return { state: 'failed', id: 'teamDb.failed', params: { ...where, detail: message } }
}

/**
 * Whether this user can build or bring up the schema: create tables in the schema it works in (since
 * PostgreSQL 15 only the database's owner may in `public`), and create pg_trgm unless it is there.
 */
async function mayBuildSchema(c: ClientBase): Promise<boolean> {
  const r = await c.query<{ ok: boolean }>(
    `SELECT coalesce(has_schema_privilege(current_schema(), 'CREATE'), false)
        AND (has_database_privilege(current_database(), 'CREATE')
             OR EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')) AS ok`,
  )
  return r.rows[0]?.ok === true
}

export async function checkTeamDb(target: PgTarget, timeoutMs = 5_000): Promise<TeamDbCheck> {
  const where = { host: target.host, port: target.port, database: target.database }
  let client
  try {
    client = await connectPg(target, timeoutMs)
  } catch (err) {
    return { ok: false, schema: null, server: null, ...classifyPgError(err, target) }
  }
  try {
    const server =
      (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? null
    const state = await readSchemaState(client)
    const refusal = schemaRefusal(state, target)
    if (refusal) return { ok: false, schema: state.version, server, ...classifyPgError(refusal, target) }
    const found = state.version
    if (found < SCHEMA_VERSION && !(await mayBuildSchema(client)))
      return {
        ok: false,
        state: 'no_permission',
        schema: found,
        server,
        id: 'teamDb.noCreate',
        params: {
          ...where,
          user: target.user,
        },
      }
    if (found === 0) return { ok: true, state: 'empty', schema: 0, server, id: 'teamDb.empty', params: where }
    if (found < SCHEMA_VERSION)
      return {
        ok: true,
        state: 'older',
        schema: found,
        server,
        id: 'teamDb.older',
        params: { ...where, found, known: SCHEMA_VERSION },
      }
    return {
      ok: true,
      state: 'ready',
      schema: found,
      server,
      id: 'teamDb.ready',
      params: { ...where, found },
    }
  } catch (err) {
    return { ok: false, schema: null, server: null, ...classifyPgError(err, target) }
  } finally {
    await client.end().catch(() => {})
  }
}
