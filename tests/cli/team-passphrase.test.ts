import { execFile, spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { say } from '../../src/shared/messages'
import { tempDir } from '../helpers/world'

// `paysync keys passphrase set|change` and a member's ways in (docs/cli.md section 1.5, docs/team-mode.md
// B8.7), as a person runs them: the real command line in a process of its own. The passphrase is
// typed at a terminal (a pseudo-terminal from util-linux's `script`), read from a private file or
// PAYSYNC_PASSPHRASE, and never printed, whatever happens.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')
const TEAM = 'Team-Pass for 2026!'
const NEXT = 'a newer team passphrase'
const SHORT = 'Short-Pw-77'
const hasScript = fs.existsSync('/usr/bin/script')

interface Ran {
  code: number
  stdout: string
  stderr: string
}

async function paysync(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const clean = { ...process.env }
  delete clean.PAYSYNC_PASSPHRASE
  delete clean.PAYSYNC_KEY_FILE
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...clean, ...env },
      timeout: 120_000,
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/**
 * A command at a terminal: each prompt answered as it appears. `script` gives the command a
 * pseudo-terminal; what comes back is everything the terminal showed.
 */
function atTerminal(command: string, answers: Array<[prompt: string, typed: string]>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const clean = { ...process.env }
    delete clean.PAYSYNC_PASSPHRASE
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { env: clean })
    let shown = ''
    let next = 0
    child.stdout.on('data', (chunk: Buffer) => {
      shown += chunk.toString('utf8')
      // Answered once its prompt is on the screen, past what the answers before it consumed.
      while (next < answers.length && shown.split(answers[next]![0]).length - 1 > countBefore(next)) {
        child.stdin.write(`${answers[next]![1]}\r`)
        next++
      }
    })
    const countBefore = (i: number) => answers.slice(0, i).filter(([p]) => p === answers[i]![0]).length
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: shown, stderr: '' }))
  })
}

let dir: string
let sim: Simulator
let db: string
const said: string[] = []
const remember = (r: Ran) => {
  said.push(r.stdout, r.stderr)
  return r
}

beforeAll(async () => {
  dir = tempDir()
  db = path.join(dir, 'desk.db')
  sim = await startSimulator({
    scenario: { merchants: [{ name: 'team-ali', channel: 'alipay' }], orders: [], refunds: [] },
  })
  fs.writeFileSync(path.join(dir, 'team-ali.json'), JSON.stringify(sim.profiles()[0]))
  // Books made headless: the key file beside them opens the secrets on this computer.
  const added = await paysync(['--db', db, 'merchant', 'add', '--config', path.join(dir, 'team-ali.json')])
  expect(added.code).toBe(0)
})
afterAll(async () => {
  await sim.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A member's copy of the books: the file alone, as a team database copied out would give it. */
function membersCopy(name: string): string {
  const copy = path.join(tempDir(), `${name}.db`)
  for (const side of ['', '-wal']) if (fs.existsSync(db + side)) fs.copyFileSync(db + side, copy + side)
  return copy
}

describe('paysync keys passphrase', () => {
  it('refuses a passphrase it cannot read safely or that is too short, in one sentence', async () => {
    const noTerminal = remember(await paysync(['--db', db, 'keys', 'passphrase', 'set']))
    expect(noTerminal.code).toBe(1)
    expect(noTerminal.stderr).toBe(
      'paysync: no terminal to type the passphrase at: give it with --passphrase-file (or PAYSYNC_PASSPHRASE)\n',
    )
    const short = remember(
      await paysync(['--db', db, 'keys', 'passphrase', 'set'], { PAYSYNC_PASSPHRASE: SHORT }),
    )
    expect(short.code).toBe(1)
    expect(short.stderr).toBe(`paysync: ${say('keys.teamTooShort', { n: 12 })}\n`)

    const file = path.join(dir, 'team.pass')
    fs.writeFileSync(file, `${TEAM}\n`, { mode: 0o644 })
    fs.chmodSync(file, 0o644)
    const open = remember(await paysync(['--db', db, 'keys', 'passphrase', 'set', '--passphrase-file', file]))
    expect(open.code).toBe(1)
    expect(open.stderr).toContain(
      `can be read by other users (mode 644); restrict it with: chmod 600 ${file}`,
    )
    const which = remember(await paysync(['--db', db, 'keys', 'passphrase', 'open']))
    expect(which.stderr).toBe('paysync: say set or change, not "open"\n')
    const none = remember(
      await paysync(['--db', db, 'keys', 'passphrase', 'change'], { PAYSYNC_PASSPHRASE: TEAM }),
    )
    // change with no terminal: the new one has nowhere to come from.
    expect(none.stderr).toContain('no terminal to type the passphrase at')
  })

  it('sets it from a private file; a member with the passphrase or the key file opens the secrets', async () => {
    const file = path.join(dir, 'team.pass')
    fs.chmodSync(file, 0o600)
    const set = remember(
      await paysync(['--db', db, '--json', 'keys', 'passphrase', 'set', '--passphrase-file', file]),
    )
    expect(set.code).toBe(0)
    expect(JSON.parse(set.stdout)).toMatchObject({ schemes: ['keyfile', 'passphrase'] })
    const again = remember(
      await paysync(['--db', db, 'keys', 'passphrase', 'set'], { PAYSYNC_PASSPHRASE: NEXT }),
    )
    expect(again.stderr).toBe(`paysync: ${say('keys.passphraseSetAlready')}\n`)

    const copy = membersCopy('member')
    const test = (env: Record<string, string>) =>
      paysync(['--db', copy, 'merchant', 'test', 'team-ali', '--json'], env)
    // No key file beside the copy, no passphrase: locked, and the sentence lists the ways in.
    const locked = remember(await test({}))
    expect(locked.code).toBe(1)
    expect(locked.stdout + locked.stderr).toContain(
      'merchant secrets are locked (protected by: keyfile, passphrase)',
    )
    const withPassphrase = remember(await test({ PAYSYNC_PASSPHRASE: TEAM }))
    expect(withPassphrase.code).toBe(0)
    expect(JSON.parse(withPassphrase.stdout)).toMatchObject({ ok: true })
    // The team's key file, kept wherever the member keeps it, named by PAYSYNC_KEY_FILE.
    const kept = path.join(tempDir(), 'team.key')
    fs.copyFileSync(path.join(dir, 'desk.key'), kept)
    fs.chmodSync(kept, 0o600)
    const withKeyFile = remember(await test({ PAYSYNC_KEY_FILE: kept }))
    expect(withKeyFile.code).toBe(0)

    // A wrong PAYSYNC_PASSPHRASE: one sentence, not the list of every way in.
    const wrong = remember(await test({ PAYSYNC_PASSPHRASE: NEXT }))
    expect(wrong.code).toBe(1)
    expect(wrong.stdout + wrong.stderr).toContain(say('secrets.wrongPassphrase'))
    expect(wrong.stdout + wrong.stderr).not.toContain('protected by')
    const headless = remember(
      await paysync(['--db', copy, 'keys', 'headless', 'on'], { PAYSYNC_PASSPHRASE: NEXT }),
    )
    expect(headless.stderr).toBe(`paysync: ${say('secrets.wrongPassphrase')}\n`)
  })

  it.skipIf(!hasScript)('changes it at a terminal, typed unseen; the old one stops opening', async () => {
    const command = `'${process.execPath}' '${BIN}' --db '${db}' keys passphrase change`
    const mismatch = remember(
      await atTerminal(command, [
        ['current team passphrase: ', TEAM],
        ['new team passphrase: ', NEXT],
        ['new team passphrase again: ', `${NEXT}?`],
      ]),
    )
    expect(mismatch.code).toBe(1)
    expect(mismatch.stdout).toContain('the two entries differ: nothing was changed')
    const wrongCurrent = remember(
      await atTerminal(command, [
        ['current team passphrase: ', NEXT],
        ['new team passphrase: ', NEXT],
        ['new team passphrase again: ', NEXT],
      ]),
    )
    expect(wrongCurrent.code).toBe(1)
    expect(wrongCurrent.stdout).toContain(say('secrets.wrongPassphrase'))

    const changed = remember(
      await atTerminal(command, [
        ['current team passphrase: ', TEAM],
        ['new team passphrase: ', NEXT],
        ['new team passphrase again: ', NEXT],
      ]),
    )
    expect(changed.code).toBe(0)
    expect(changed.stdout).toContain('the team passphrase is changed')

    const copy = membersCopy('after-change')
    const test = (p: string) =>
      paysync(['--db', copy, 'merchant', 'test', 'team-ali', '--json'], { PAYSYNC_PASSPHRASE: p })
    const old = remember(await test(TEAM))
    expect(old.stdout + old.stderr).toContain(say('secrets.wrongPassphrase'))
    expect(remember(await test(NEXT)).code).toBe(0)
  })

  it('never printed the passphrase, nor wrote it into the audit log or the books', async () => {
    expect(said.length).toBeGreaterThan(10)
    const all = said.join('\n')
    for (const secret of [TEAM, NEXT, SHORT]) {
      expect(all).not.toContain(secret)
      expect(fs.readFileSync(db).includes(Buffer.from(secret))).toBe(false)
    }
    const ctx = new ServiceContext({ dbFile: db, transport: 'cli', readsOnly: true })
    try {
      const rows = ctx.db
        .prepare("SELECT action, transport, detail FROM audit_log WHERE action LIKE 'team_passphrase%'")
        .all()
      expect(rows).toEqual([
        { action: 'team_passphrase_set', transport: 'cli', detail: null },
        ...(hasScript ? [{ action: 'team_passphrase_changed', transport: 'cli', detail: null }] : []),
      ])
    } finally {
      await ctx.close()
    }
  })
})

describe('paysync db copy with secrets only this computer opens', () => {
  it('refuses before connecting, saying what to do', async () => {
    const key = crypto.randomBytes(32)
    const store = {
      wrap: (plain: Buffer) => {
        const iv = crypto.randomBytes(12)
        const c = crypto.createCipheriv('aes-256-gcm', key, iv)
        return Buffer.concat([iv, c.update(plain), c.final(), c.getAuthTag()])
      },
      unwrap: () => {
        throw new Error('not needed')
      },
    }
    const file = path.join(tempDir(), 'desktop.db')
    const app = new ServiceContext({ dbFile: file, transport: 'electron', safeStorage: store })
    const sealed = (await app.secretBox()).seal({ appPrivateKey: 'PRIVATE' })
    app.db
      .prepare(
        "INSERT INTO merchants (name, channel, endpoint, secrets, created_at, updated_at) VALUES ('m', 'alipay', 'x', ?, 1, 1)",
      )
      .run(sealed)
    await app.close()
    const r = await paysync(['db', 'copy', '--from', file, '--to', 'postgres://me:Db-Pw-5@127.0.0.1:1/team'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`paysync: ${say('dbCopy.secretsStayHere')}\n`)
    expect(r.stdout).toBe('')
  })

  it('checks PAYSYNC_PASSPHRASE against the team passphrase before connecting', async () => {
    const file = path.join(tempDir(), 'team.db')
    const books = new ServiceContext({ dbFile: file, transport: 'cli' })
    const sealed = (await books.secretBox()).seal({ appPrivateKey: 'PRIVATE' })
    books.db
      .prepare(
        "INSERT INTO merchants (name, channel, endpoint, secrets, created_at, updated_at) VALUES ('m', 'alipay', 'x', ?, 1, 1)",
      )
      .run(sealed)
    const { dispatch } = await import('../../src/main/services/index')
    await dispatch(books, 'keys.setPassphrase', { passphrase: TEAM })
    await books.close()
    const to = 'postgres://me:Db-Pw-5@127.0.0.1:1/team'
    const wrong = await paysync(['db', 'copy', '--from', file, '--to', to], { PAYSYNC_PASSPHRASE: NEXT })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toBe(`paysync: ${say('secrets.wrongPassphrase')}\n`)
    // The right one lets the copy go on: to a team database that is not there, here.
    const right = await paysync(['db', 'copy', '--from', file, '--to', to], { PAYSYNC_PASSPHRASE: TEAM })
    expect(right.code).toBe(1)
    expect(right.stderr).toContain('127.0.0.1:1')
    expect(right.stderr).not.toContain(say('secrets.wrongPassphrase'))
    for (const r of [wrong, right]) expect(r.stdout + r.stderr).not.toMatch(/Db-Pw-5|Team-Pass|newer team/)
  })
})
