import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/main/services/db-copy'
import { openPgPool, pgTarget } from '../../src/main/store/pg/connect'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// `paysync merchant add|list|test|remove --db postgres://…` (docs/team-mode.md B8.17): a profile added
// to a team database from a file, its secrets sealed with the team key from PAYSYNC_PASSPHRASE, tested
// and removed there, under PAYSYNC_OPERATOR; without the key, one sentence and nothing written.

const TEAM = 'Team-Pass for 2026!'
const BIN = path.resolve('bin/paysync.js')
const execRun = promisify(execFile)

describe.skipIf(pgMissing())('merchant profiles on a team database, from the command line', () => {
  let w: World
  let url: string
  let pool: pg.Pool
  let config: string
  const dataDir = tempDir('paysync-team-data-')
  const env = () => ({
    ...process.env,
    NO_COLOR: '1',
    PAYSYNC_PASSPHRASE: TEAM,
    PAYSYNC_OPERATOR: 'carol',
    XDG_CONFIG_HOME: dataDir,
  })
  const paysync = (args: string[], e: NodeJS.ProcessEnv = env()) =>
    execRun(process.execPath, [BIN, '--db', url, 'merchant', ...args], { env: e }).catch(
      (err: { code: number; stdout: string; stderr: string }) => err,
    )

  beforeAll(async () => {
    w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }], context: { passphrase: TEAM } })
    const profile = w.sim.profiles().find((p) => p.channel === 'alipay')!
    config = path.join(w.dir, 'shop.json')
    fs.writeFileSync(config, JSON.stringify({ ...profile, name: 'shop' }))
    url = await freshDatabase()
    expect((await copyDatabase(w.dbFile, url)).outcome).toBe('copied')
    pool = openPgPool(pgTarget(url), 2)
  })

  afterAll(async () => {
    await pool?.end()
    await w?.close()
  })

  it('adds, lists, tests and removes a profile there, audited under the operator', async () => {
    const added = await paysync(['add', '--config', config])
    expect(added).toMatchObject({ stdout: expect.stringContaining('added merchant shop (alipay)') })
    const listed = await paysync(['list'])
    expect(listed.stdout).toMatch(/ali[\s\S]*shop/)
    const tested = await paysync(['test', 'shop'])
    expect(tested.stdout).toMatch(/^ok: [\s\S]*signature: verified/)
    const removed = await paysync(['remove', 'shop'])
    expect(removed.stdout).toContain('removed merchant shop')
    const { rows } = await pool.query(
      "SELECT operator, transport, action FROM audit_log WHERE target = 'shop' ORDER BY id",
    )
    expect(rows).toEqual([
      { operator: 'carol', transport: 'cli', action: 'merchant_added' },
      { operator: 'carol', transport: 'cli', action: 'merchant_removed' },
    ])
    const gone = await pool.query("SELECT secrets, removed_at FROM merchants WHERE name = 'shop'")
    expect(gone.rows[0].secrets).toBeNull()
    expect(gone.rows[0].removed_at).not.toBeNull()
    // Named for no profile there: the file's sentence.
    expect(await paysync(['test', 'nobody'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('there is no merchant profile named "nobody"'),
    })
  })

  it('without the team key, adding is refused in one sentence and writes nothing', async () => {
    const { PAYSYNC_PASSPHRASE: _, ...bare } = env()
    fs.writeFileSync(
      config,
      JSON.stringify({ ...JSON.parse(fs.readFileSync(config, 'utf8')), name: 'locked' }),
    )
    const r = await paysync(['add', '--config', config], bare)
    expect(r).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('PAYSYNC_PASSPHRASE or PAYSYNC_KEY_FILE'),
    })
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM merchants WHERE name = 'locked'")
    expect(rows[0].n).toBe(0)
  })
})
