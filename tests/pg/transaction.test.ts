import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPgPool, pgTarget } from '../../src/main/store/pg/connect'
import { inPgTransaction } from '../../src/main/store/pg/transaction'
import { freshDatabase, pgMissing } from '../helpers/pg'

// One unit of the engine in one transaction on a team database (store/pg/transaction.ts), over the
// pipelined pool the engine uses: what it commits, and that a failure is never taken for a commit.

describe.skipIf(pgMissing())('a transaction on the team database', () => {
  let pool: pg.Pool

  beforeAll(async () => {
    pool = openPgPool(pgTarget(await freshDatabase('paysync_txn')), 2)
    await pool.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)')
  })

  afterAll(async () => {
    await pool?.end()
  })

  const bodies = async () => (await pool.query('SELECT body FROM notes ORDER BY id')).rows.map((r) => r.body)

  it('commits every statement, those sent without waiting included', async () => {
    await inPgTransaction(pool, async (x) => {
      await x.send('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'sent'])
      expect(await x.run('INSERT INTO notes (id, body) VALUES (?, ?)', [2, 'answered'])).toBe(1)
    })
    expect(await bodies()).toEqual(['sent', 'answered'])
  })

  it('a statement sent without waiting that fails: its error, and nothing written', async () => {
    await expect(
      inPgTransaction(pool, async (x) => {
        await x.send('INSERT INTO notes (id, body) VALUES (?, ?)', [3, 'kept?'])
        await x.send('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'twice'])
      }),
    ).rejects.toMatchObject({ code: '23505' })
    expect(await bodies()).toEqual(['sent', 'answered'])
  })

  it('a failure caught inside is not a commit: PostgreSQL rolled it back, and the caller is told', async () => {
    // On SQLite a caught constraint error leaves the transaction usable; on PostgreSQL it aborts it,
    // and the COMMIT behind it is answered ROLLBACK without an error.
    await expect(
      inPgTransaction(pool, async (x) => {
        await x.run('INSERT INTO notes (id, body) VALUES (?, ?)', [4, 'lost?'])
        await x.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'twice']).catch(() => 0)
        return 'written'
      }),
    ).rejects.toThrow(/rolled the transaction back/)
    expect(await bodies()).toEqual(['sent', 'answered'])
    // The connection went back to the pool usable.
    await inPgTransaction(pool, (x) => x.send('INSERT INTO notes (id, body) VALUES (?, ?)', [5, 'after']))
    expect(await bodies()).toEqual(['sent', 'answered', 'after'])
  })
})
