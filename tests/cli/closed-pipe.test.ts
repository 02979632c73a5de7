import { spawn, execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/main/store/connection'
import { tempDir } from '../helpers/world'

// `paysync orders | head -1`: the reader stops early, which is no failure of the command. Node used
// to throw the pipe's EPIPE as an unhandled error, print a stack and exit 1, so a script with
// `set -o pipefail` saw a failed run (src/main/server/cli/output.ts).

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

let dir: string
let db: string
beforeAll(async () => {
  dir = tempDir()
  db = path.join(dir, 'pipe.db')
  openStore(db).close()
  const rows = Array.from({ length: 3_000 }, (_, i) => `P-${i + 1},pipe-m,100,progress`)
  fs.writeFileSync(path.join(dir, 'orders.csv'), ['orderNo,merchant,amountFen,status', ...rows].join('\n'))
  await run(process.execPath, [BIN, '--db', db, 'import', path.join(dir, 'orders.csv')], { timeout: 120_000 })
}, 120_000)
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** Runs paysync with its standard output closed before it writes a byte. */
function withReaderGone(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--db', db, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe('a reader that stops early', () => {
  it('a list page ends with exit 0 and nothing on standard error', async () => {
    expect(await withReaderGone(['orders'])).toEqual({ code: 0, stderr: '' })
  }, 60_000)

  it('every row as JSON lines stops paging and ends with exit 0', async () => {
    expect(await withReaderGone(['orders', '--json', '--all'])).toEqual({ code: 0, stderr: '' })
  }, 60_000)

  it('a failing command keeps its own exit code and its sentence on standard error', async () => {
    const r = await withReaderGone(['orders', '--limit', '0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^paysync: /)
  }, 60_000)
})
