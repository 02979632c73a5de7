import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { ServiceContext } from '../../src/main/services/context'
import { openStore } from '../../src/main/store/connection'
import { checkIntegrity } from '../../src/main/store/integrity'
import { tempDir } from '../helpers/world'

// Damage deep in a table: the file opens and its header and schema read fine, so only reading it
// all through finds it. The app and browser mode check once after opening; `paysync check` on demand.

let dir: string
beforeEach(() => {
  dir = tempDir()
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

function database(name: string): string {
  const file = path.join(dir, name)
  const db = openStore(file)
  const insert = db.prepare('INSERT INTO audit_log (action, detail, created_at) VALUES (?, ?, ?)')
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run(`a${i}`, 'z'.repeat(300), i)
  })()
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return file
}

/** Garbage over a page two thirds into the file: a leaf of the audit log, far from the schema. */
function damagePage(file: string): void {
  const bytes = fs.readFileSync(file)
  const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16)
  const page = Math.floor((bytes.length / pageSize) * (2 / 3))
  bytes.fill(0xa5, page * pageSize, (page + 1) * pageSize)
  fs.writeFileSync(file, bytes)
}

const BIN = path.resolve('bin/paysync.js')

describe('the whole-file check of a database', () => {
  it('finds nothing in a sound file, and reports damage deep in a table that opening does not see', async () => {
    const sound = database('sound.db')
    expect(await checkIntegrity(sound)).toMatchObject({ status: 'ok', problems: [] })

    const hurt = database('hurt.db')
    damagePage(hurt)
    const before = fs.readFileSync(hurt)
    // Opening succeeds: the header and the schema are intact.
    openStore(hurt, { readonly: true }).close()
    const r = await checkIntegrity(hurt)
    expect(r.status).toBe('damaged')
    expect(r.problems.length).toBeGreaterThan(0)
    // Checked, never written.
    expect(fs.readFileSync(hurt).equals(before)).toBe(true)
  })

  it('shows in app.info once the app has checked after opening', async () => {
    const hurt = database('app.db')
    damagePage(hurt)
    const ctx = new ServiceContext({ dbFile: hurt, transport: 'http' })
    try {
      expect((await dispatch(ctx, 'app.info', {})).integrity.status).toBe('unchecked')
      await ctx.checkIntegrity()
      const info = await dispatch(ctx, 'app.info', {})
      expect(info.integrity.status).toBe('damaged')
      expect(info.integrity.problems.length).toBeGreaterThan(0)
      expect(info.integrity.checkedAt).toMatch(/\+08:00$/)
    } finally {
      await ctx.close()
    }
  })

  it('paysync check: exit 0 and a sentence when sound, exit 1 with what SQLite found when damaged', () => {
    const sound = database('cli-sound.db')
    const ok = spawnSync(process.execPath, [BIN, '--db', sound, 'check'], { encoding: 'utf8' })
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/no damage found/)

    const hurt = database('cli-hurt.db')
    damagePage(hurt)
    const bad = spawnSync(process.execPath, [BIN, '--db', hurt, '--json', 'check'], { encoding: 'utf8' })
    expect(bad.status).toBe(1)
    const report = JSON.parse(bad.stdout) as { status: string; problems: string[] }
    expect(report.status).toBe('damaged')
    expect(report.problems.length).toBeGreaterThan(0)
  })
})
