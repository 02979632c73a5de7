import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { freshDatabase, pgMissing } from '../helpers/pg'

describe.skipIf(pgMissing())('the test server', () => {
  it('gives each suite an empty database of its own', async () => {
    const url = await freshDatabase()
    const client = new pg.Client(url)
    await client.connect()
    try {
      const r = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
      )
      expect(r.rows[0]!.n).toBe('0')
    } finally {
      await client.end()
    }
  })
})
