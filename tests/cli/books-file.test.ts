import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import readline from 'node:readline'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { startDemoWorld } from '../../src/main/services/demo'
import { screensStub, tempDir } from '../helpers/world'

// The books' file as the command line and `paysync serve` treat it (issue 14, items 5 and 14; review
// L5): a database that is not there is refused by every command that reads the books and nothing is
// created, not even its folder; creating one is explicit; serve checks its arguments before it
// creates anything and exits at once when it cannot start; and what the hosts create is this user's
// alone, whatever the umask of the shell that started them.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

interface Run {
  code: number
  stdout: string
  stderr: string
  ms: number
}

async function paysync(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now()
  // A shell whose umask would leave every file readable by others: what the hosts create must not be.
  const clean = { ...process.env, PAYSYNC_DB: '', ...env }
  try {
    const { stdout, stderr } = await run(
      '/bin/sh',
      ['-c', 'umask 022; exec "$0" "$@"', process.execPath, BIN, ...args],
      {
        env: clean,
        timeout: 60_000,
      },
    )
    return { code: 0, stdout, stderr, ms: Date.now() - started }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, ms: Date.now() - started }
  }
}

const mode = (file: string) => fs.statSync(file).mode & 0o777

let dir: string
let sim: Simulator
let profile: string
beforeAll(async () => {
  dir = tempDir()
  sim = await startSimulator({
    scenario: { merchants: [{ name: 'books-ali', channel: 'alipay' }], orders: [], refunds: [] },
  })
  profile = path.join(dir, 'books-ali.json')
  fs.writeFileSync(profile, JSON.stringify(sim.profiles()[0]))
  fs.writeFileSync(
    path.join(dir, 'orders.csv'),
    'orderNo,merchant,amountFen,status\nB-1,books-ali,100,progress\n',
  )
})
afterAll(async () => {
  await sim.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** Every command that reads the books, as a person would mistype them. */
const READERS: string[][] = [
  ['sync', '--pending'],
  ['sync', '--all'],
  ['orders'],
  ['records', '--result', 'error'],
  ['anomalies'],
  ['repairs'],
  ['refunds'],
  ['import', 'orders.csv'],
  ['export', 'records', '--out', 'records.csv'],
  ['batch', 'list'],
  ['merchant', 'list'],
  ['merchant', 'remove', 'books-ali'],
  ['check'],
]

describe('a database that is not there', () => {
  it('is refused by every command that reads the books, in one sentence, creating nothing', async () => {
    const typo = path.join(dir, 'no-such-folder', 'paysnyc.db')
    for (const args of READERS) {
      const r = await paysync([
        '--db',
        typo,
        ...args.map((a) => (a.endsWith('.csv') ? path.join(dir, a) : a)),
      ])
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr, args.join(' ')).toBe(
        `paysync: no database at ${typo}; run \`paysync merchant add\` or start the app to create one, or check --db\n`,
      )
      expect(fs.existsSync(path.dirname(typo)), args.join(' ')).toBe(false)
    }
    expect(fs.existsSync(path.join(dir, 'records.csv'))).toBe(false)
  }, 120_000)

  it('given as a team database address, is refused in one sentence, with no password and no folder', async () => {
    const address = 'postgres://finance:s3cret@db.example:5432/team'
    const said =
      'names a team database (postgres://***@db.example:5432/team): this command works on a ' +
      'database file only; on a team database the lists and statements read today (`paysync records`, ' +
      '`orders`, `refunds`, `repairs`, `anomalies`, `audit`, `statements`, `statement show|lines|diffs`) ' +
      'and `paysync export` writes the first five, `paysync import` and `paysync sync --file` import an order or refund list there, ' +
      '`paysync sync --order/--refund/--pending/--all/--file` syncs there, ' +
      '`paysync batch list|show|pause|cancel|resume|release` work its batches, `paysync anomalies resolve` decides there, ' +
      '`paysync reconcile --file` reconciles a bill there, ' +
      '`paysync merchant add|list|test|remove` work its merchant profiles, ' +
      '`paysync merchant remove-demo` takes the old sandbox demo out of it, ' +
      '`paysync keys passphrase set|change` sets its team passphrase, ' +
      '`paysync db check` checks it, `paysync db copy` fills it and `paysync serve` serves its screens ' +
      '(docs/team-mode.md B8.6)\n'
    // A file's alone: its key file (docs/team-mode.md B8.6).
    const commands = [['keys', 'headless', 'on']]
    for (const args of commands) {
      const r = await paysync(['--db', address, ...args], { HOME: dir, XDG_CONFIG_HOME: dir })
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr, args.join(' ')).toBe(`paysync: --db ${said}`)
    }
    const env = await paysync(['keys', 'headless', 'on'], {
      PAYSYNC_DB: address,
      XDG_CONFIG_HOME: dir,
    })
    expect(env.stderr).toBe(`paysync: PAYSYNC_DB ${said}`)
    // A list reads the team database itself (tests/pg/reads.test.ts); one that is not there is one
    // sentence, without the password.
    const list = await paysync(['--db', 'postgres://finance:s3cret@127.0.0.1:1/team', 'records'], {
      XDG_CONFIG_HOME: dir,
    })
    expect(list.code).toBe(1)
    expect(list.stderr).toMatch(
      /^paysync: no PostgreSQL answers at 127\.0\.0\.1:1 \(connection refused\).*\n$/,
    )
    expect(list.stderr).not.toContain('s3cret')
    // Resolved as a path, the address used to become a folder named `postgres:` in the working one.
    expect(fs.existsSync(path.resolve('postgres:'))).toBe(false)
  }, 60_000)

  it('named by PAYSYNC_DB, or left to the data folder, is refused the same way', async () => {
    const fromEnv = path.join(dir, 'env-typo.db')
    const env = await paysync(['sync', '--pending', '--json'], { PAYSYNC_DB: fromEnv })
    expect(env.code).toBe(1)
    expect(env.stderr).toMatch(/^paysync: no database at .*env-typo\.db; .* or check PAYSYNC_DB\n$/)
    expect(fs.existsSync(fromEnv)).toBe(false)

    const home = path.join(dir, 'home')
    const fallback = await paysync(['orders'], { XDG_CONFIG_HOME: home, HOME: home })
    expect(fallback.code).toBe(1)
    expect(fallback.stderr).toMatch(
      /^paysync: no database at .*PaySync Desk.paysync\.db; .* or name one with --db\n$/,
    )
    expect(fs.existsSync(home)).toBe(false)
  }, 60_000)
})

describe('creating the books is explicit', () => {
  it('merchant add makes them: the database 0600 in a new folder of 0700, the key file 0600', async () => {
    const db = path.join(dir, 'made', 'inner', 'books.db')
    // A refused profile creates nothing.
    fs.writeFileSync(path.join(dir, 'half.json'), JSON.stringify({ name: 'half', channel: 'alipay' }))
    const refused = await paysync(['--db', db, 'merchant', 'add', '--config', path.join(dir, 'half.json')])
    expect(refused.code).toBe(1)
    expect(fs.existsSync(path.join(dir, 'made'))).toBe(false)

    const added = await paysync(['--db', db, 'merchant', 'add', '--config', profile])
    expect(added.code, added.stderr).toBe(0)
    expect(mode(db)).toBe(0o600)
    expect(mode(path.dirname(db))).toBe(0o700)
    expect(mode(path.join(dir, 'made'))).toBe(0o700)
    expect(mode(path.join(path.dirname(db), 'books.key'))).toBe(0o600)

    // Now it is there, the same commands work on it, and what they write is private too.
    expect((await paysync(['--db', db, 'import', path.join(dir, 'orders.csv')])).code).toBe(0)
    const out = path.join(dir, 'orders-export.csv')
    const exported = await paysync(['--db', db, 'export', 'orders', '--out', out])
    expect(exported.code, exported.stderr).toBe(0)
    expect(mode(out)).toBe(0o600)
    expect(mode(db)).toBe(0o600)
  }, 60_000)

  it('an older database readable by others is brought down to 0600 when opened for writing', async () => {
    const db = path.join(dir, 'made', 'inner', 'books.db')
    fs.chmodSync(db, 0o644)
    expect((await paysync(['--db', db, 'merchant', 'list'])).code).toBe(0)
    expect(mode(db)).toBe(0o600)
  }, 60_000)

  it('demo makes a database of its own and never writes into existing books', async () => {
    const books = path.join(dir, 'made', 'inner', 'books.db')
    const before = fs.readFileSync(books)
    const r = await paysync(['--db', books, 'demo'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^paysync: the demo makes a database of its own .*books\.db exists/)
    expect(fs.readFileSync(books).equals(before)).toBe(true)

    const own = path.join(dir, 'demo-here', 'demo.db')
    const demo = await paysync(['--db', own, 'demo', '--json'])
    expect(demo.code, demo.stderr).toBe(0)
    expect(JSON.parse(demo.stdout).db).toBe(own)
    expect(mode(own)).toBe(0o600)
  }, 120_000)
})

/** `paysync serve` started in the background; its first line, or its exit. */
function startServe(
  args: string[],
): Promise<{ line: string | null; code: number | null; stderr: string; stop(): Promise<void> }> {
  const proc = spawn('/bin/sh', ['-c', 'umask 022; exec "$0" "$@"', process.execPath, BIN, ...args], {
    env: { ...process.env, PAYSYNC_DB: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  proc.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  const stop = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM')
    await exited
  }
  return new Promise((resolve) => {
    readline
      .createInterface({ input: proc.stdout })
      .once('line', (line) => resolve({ line, code: null, stderr, stop }))
    void exited.then((code) => resolve({ line: null, code, stderr, stop }))
  })
}

describe('paysync serve at start-up', () => {
  it('refuses a named database that is not there unless --create, before creating anything', async () => {
    const db = path.join(dir, 'serve-new', 'books.db')
    const screens = screensStub(dir)
    const started = Date.now()
    const r = await startServe(['--db', db, 'serve', '--renderer', screens])
    expect(r.code).toBe(1)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(r.stderr).toBe(
      `paysync: no database at ${db}; add --create to make a new one there, or check --db\n`,
    )
    expect(fs.existsSync(path.dirname(db))).toBe(false)
  }, 30_000)

  it('a bad port, a port in use or screens not built: exit 1 at once, nothing created', async () => {
    const db = path.join(dir, 'serve-bad', 'books.db')
    const screens = screensStub(dir)
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as net.AddressInfo).port
    try {
      for (const [args, said] of [
        [
          ['--port', 'abc', '--renderer', screens],
          /--port must be a whole number from 0 to 65535, not "abc"/,
        ],
        [
          ['--port', String(port), '--renderer', screens],
          new RegExp(`port ${port} is in use on 127\\.0\\.0\\.1`),
        ],
        [['--renderer', path.join(dir, 'nothing-built')], /the screens are not built/],
      ] as Array<[string[], RegExp]>) {
        const started = Date.now()
        const r = await startServe(['--db', db, 'serve', '--create', '--no-schedules', ...args])
        expect(r.code, args.join(' ')).toBe(1)
        expect(r.stderr, args.join(' ')).toMatch(said)
        expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
        expect(Date.now() - started, args.join(' ')).toBeLessThan(10_000)
        expect(fs.existsSync(path.dirname(db)), args.join(' ')).toBe(false)
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  }, 60_000)

  it('--create makes the books private: database, -wal and -shm 0600, the new folder 0700', async () => {
    const db = path.join(dir, 'serve-made', 'books.db')
    const r = await startServe([
      '--db',
      db,
      '--json',
      'serve',
      '--create',
      '--no-schedules',
      '--renderer',
      screensStub(dir),
    ])
    try {
      expect(r.line, r.stderr).not.toBeNull()
      expect(JSON.parse(r.line!).db).toBe(db)
      for (const file of [db, `${db}-wal`, `${db}-shm`]) expect(mode(file), file).toBe(0o600)
      expect(mode(path.dirname(db))).toBe(0o700)
    } finally {
      await r.stop()
    }
  }, 60_000)
})

describe('paysync merchant remove-demo', () => {
  it("takes an older version's sandbox demo out of the books, and then has nothing to take", async () => {
    const db = path.join(dir, 'older.db')
    const older = new ServiceContext({ dbFile: db, transport: 'cli' })
    await (await startDemoWorld(older)).sim.close()
    await older.close()
    const r = await paysync(['--db', db, '--json', 'merchant', 'remove-demo'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ merchants: 5, refunds: expect.any(Number) })
    expect(JSON.parse(r.stdout).payOrders).toBeGreaterThan(0)
    const list = await paysync(['--db', db, '--json', 'merchant', 'list'])
    expect(JSON.parse(list.stdout).total).toBe(0)
    const again = await paysync(['--db', db, 'merchant', 'remove-demo'])
    expect(again.stdout).toBe('no demo data in these books\n')
  }, 60_000)
})
