import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import path from 'node:path'
import { removeMerchantProfile } from '../../src/main/services/merchants'
import { openStore, synced } from '../../src/main/store/connection'
import { createWorld, tempDir } from '../helpers/world'

// Issue 13, I2. A removed merchant's sealed secrets leave no remnant in the database file: SQLite
// frees a deleted or shrunk row's bytes without overwriting them unless secure_delete is on, so a
// tool reading the raw file could find the sealed blob (and, with the key file, open it). And the
// commits that record what only this process knows are on disk when they return (ARCHITECTURE.md).

describe('durability and erasure', () => {
  it('commits with synchronous NORMAL, and FULL for the commits `synced` makes', () => {
    const dir = tempDir()
    const db = openStore(path.join(dir, 'p.db'))
    try {
      const NORMAL = 1
      const FULL = 2
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('synchronous', { simple: true })).toBe(NORMAL)
      expect(db.pragma('secure_delete', { simple: true })).toBe(1)
      const during = synced(db, () => db.pragma('synchronous', { simple: true }))
      expect(during).toBe(FULL)
      expect(db.pragma('synchronous', { simple: true })).toBe(NORMAL)
      // Also when the transaction fails: the connection goes back to NORMAL.
      expect(() =>
        synced(db, () => {
          throw new Error('refused')
        }),
      ).toThrow('refused')
      expect(db.pragma('synchronous', { simple: true })).toBe(NORMAL)
    } finally {
      db.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("a removed merchant's sealed secrets are gone from the file, not only from the table", async () => {
    const w = await createWorld()
    const id = w.merchantId('ali')
    const sealed = (
      w.ctx.db.prepare('SELECT secrets FROM merchants WHERE id = ?').get(id) as { secrets: Buffer }
    ).secrets
    expect(sealed.length).toBeGreaterThan(64)
    await removeMerchantProfile(w.ctx, id)
    // Closing checkpoints the log into the file and empties it: the file is all there is.
    await w.ctx.close()
    const bytes = fs.readFileSync(w.dbFile)
    const wal = fs.existsSync(`${w.dbFile}-wal`) ? fs.readFileSync(`${w.dbFile}-wal`) : Buffer.alloc(0)
    // Any 32 bytes of the blob would be a remnant.
    for (let at = 0; at + 32 <= sealed.length; at += 32) {
      const piece = sealed.subarray(at, at + 32)
      expect(bytes.indexOf(piece), `bytes ${at}..${at + 32} of the sealed secrets`).toBe(-1)
      expect(wal.indexOf(piece)).toBe(-1)
    }
    await w.sim.close()
    fs.rmSync(w.dir, { recursive: true, force: true })
  })
})
