import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { teamDbTarget } from '../../src/main/services/team-db'
import { openPgPool } from '../../src/main/store/pg/connect'
import { pgExec } from '../../src/main/store/sql/pg-exec'
import { freshDatabase, pgMissing } from '../helpers/pg'

// The statements an attempt sends at once on a pipelined connection go out in one write to the socket
// (store/sql/pg-exec.ts corkForTurn, docs/team-mode.md B8.5 "Measured"): a count of writes, not a time.
// Checked to fail without the cork: three statements were three writes.

type Socket = { _writev?: (...a: unknown[]) => unknown; _write: (...a: unknown[]) => unknown }

/** Counts the writes the connection's socket hands to the system. */
function countWrites(client: pg.PoolClient): { writes: () => number; stop: () => void } {
  const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream
  const { _writev, _write } = socket
  let writes = 0
  socket._writev = function (this: unknown, ...a: unknown[]) {
    writes += 1
    return _writev!.apply(this, a)
  }
  socket._write = function (this: unknown, ...a: unknown[]) {
    writes += 1
    return _write.apply(this, a)
  }
  return {
    writes: () => writes,
    stop: () => {
      socket._writev = _writev
      socket._write = _write
    },
  }
}

describe.skipIf(pgMissing())('statements sent in one turn on a team database connection', () => {
  let pool: pg.Pool

  beforeAll(async () => {
    pool = openPgPool(teamDbTarget(await freshDatabase()), 2)
  })

  afterAll(async () => {
    await pool?.end()
  })

  it('go out as one write, and each is answered in order', async () => {
    const client = await pool.connect()
    try {
      const x = pgExec(client)
      // Each statement prepared once first: the count is of the sends an attempt makes every time.
      const three = () =>
        Promise.all([
          x.all<{ n: number }>('SELECT 1 AS n', []),
          x.all<{ n: number }>('SELECT ?::int + 1 AS n', [1]),
          x.all<{ n: number }>('SELECT ?::int * 3 AS n', [1]),
        ])
      await three()
      const counter = countWrites(client)
      let answers: Awaited<ReturnType<typeof three>>
      try {
        answers = await three()
      } finally {
        counter.stop()
      }
      expect(counter.writes()).toBe(1)
      expect(answers.map((rows) => rows[0]!.n)).toEqual([1, 2, 3])
    } finally {
      client.release()
    }
  })

  it('a statement sent after an answer is written in its own turn', async () => {
    const client = await pool.connect()
    try {
      const x = pgExec(client)
      await x.all('SELECT 1 AS n', [])
      const counter = countWrites(client)
      try {
        await x.all('SELECT 1 AS n', [])
        await x.all('SELECT 1 AS n', [])
      } finally {
        counter.stop()
      }
      expect(counter.writes()).toBe(2)
    } finally {
      client.release()
    }
  })
})
