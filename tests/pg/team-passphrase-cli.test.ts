import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/main/services/db-copy'
import { openPgPool, pgTarget } from '../../src/main/store/pg/connect'
import { say } from '../../src/shared/messages'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// `paysync keys passphrase set|change --db postgres://…` (docs/team-mode.md B8.7): the team's own
// keyring changed from the command line, as from a team window, so a team run from cron alone needs
// no window for it. The current passphrase proves itself first; from the change on, only the new one
// opens the secrets there. The passphrase is never printed or audited.

const TEAM = 'Team-Pass for 2026!'
const NEXT = 'a newer team passphrase'
const BIN = path.resolve('bin/paysync.js')
const execRun = promisify(execFile)

interface Ran {
  code?: number
  stdout: string
  stderr: string
}

describe.skipIf(pgMissing())('the team passphrase on a team database, from the command line', () => {
  let w: World
  let url: string
  let pool: pg.Pool
  let nextFile: string
  const dataDir = tempDir('paysync-team-pass-')
  const env = (passphrase: string): NodeJS.ProcessEnv => {
    const { PAYSYNC_KEY_FILE: _k, ...clean } = process.env
    return {
      ...clean,
      NO_COLOR: '1',
      PAYSYNC_PASSPHRASE: passphrase,
      PAYSYNC_OPERATOR: 'dora',
      XDG_CONFIG_HOME: dataDir,
    }
  }
  const paysync = (args: string[], passphrase: string): Promise<Ran> =>
    execRun(process.execPath, [BIN, '--db', url, ...args], { env: env(passphrase) }).catch((err: Ran) => err)
  const shown = (r: Ran) => r.stdout + r.stderr

  beforeAll(async () => {
    w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }], context: { passphrase: TEAM } })
    url = await freshDatabase()
    expect((await copyDatabase(w.dbFile, url)).outcome).toBe('copied')
    pool = openPgPool(pgTarget(url), 2)
    nextFile = path.join(tempDir('paysync-team-pass-file-'), 'next.txt')
    fs.writeFileSync(nextFile, `${NEXT}\n`, { mode: 0o600 })
  })

  afterAll(async () => {
    await pool?.end()
    await w?.close()
  })

  const audits = async () =>
    (
      await pool.query(
        "SELECT operator, transport, action, detail FROM audit_log WHERE action LIKE 'team_passphrase%' ORDER BY id",
      )
    ).rows

  it('refuses a wrong current passphrase and a second set, changing nothing', async () => {
    const wrong = await paysync(
      ['keys', 'passphrase', 'change', '--passphrase-file', nextFile],
      'not the passphrase!',
    )
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain(say('secrets.wrongPassphrase'))
    const again = await paysync(['keys', 'passphrase', 'set', '--passphrase-file', nextFile], TEAM)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(say('keys.passphraseSetAlready'))
    expect(await audits()).toEqual([])
    expect(shown(wrong) + shown(again)).not.toContain(NEXT)
  })

  it('changes it there: the new one opens the secrets, the old one no longer does', async () => {
    const changed = await paysync(
      ['keys', 'passphrase', 'change', '--passphrase-file', nextFile, '--json'],
      TEAM,
    )
    expect(changed.code ?? 0).toBe(0)
    expect(JSON.parse(changed.stdout)).toMatchObject({ schemes: ['passphrase'], needsPassphrase: false })
    expect(await audits()).toEqual([
      { operator: 'dora', transport: 'cli', action: 'team_passphrase_changed', detail: null },
    ])

    const withNew = await paysync(['merchant', 'test', 'ali'], NEXT)
    expect(withNew.stdout).toMatch(/^ok: [\s\S]*signature: verified/)
    const withOld = await paysync(['merchant', 'test', 'ali'], TEAM)
    // The test's own report: failed, in the wrong passphrase's sentence, and nothing sent.
    expect(withOld.code).toBe(1)
    expect(withOld.stdout).toContain(`failed: ${say('secrets.wrongPassphrase')}`)

    const everything = [changed, withNew, withOld].map(shown).join('\n') + JSON.stringify(await audits())
    expect(everything).not.toContain(NEXT)
    expect(everything).not.toContain(TEAM)
  })
})
