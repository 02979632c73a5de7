import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/world'

// `paysync audit`: the audit log on the command line (issue 14 item 16), through the contract's
// audit.list, with who (the declared operator and the computer's user) and how (the transport).

const BIN = path.resolve('bin/paysync.js')
const run = promisify(execFile)

async function paysync(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, PAYSYNC_OPERATOR: '', ...env },
      timeout: 120_000,
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

let db: string
const me = os.userInfo().username
beforeAll(async () => {
  const dir = tempDir()
  db = path.join(dir, 'audit.db')
  const profile = (name: string) => ({
    name,
    channel: 'daxpay',
    endpoint: 'http://127.0.0.1:9/',
    version: '3',
    mchNo: 'M100',
    appId: 'A100',
    signType: 'hmac_sha256',
    signSecret: `secret-of-${name}`,
  })
  for (const name of ['dax-a', 'dax-b']) {
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(profile(name)))
  }
  expect(
    (await paysync(['--db', db, 'merchant', 'add', '--config', path.join(dir, 'dax-a.json')])).code,
  ).toBe(0)
  const named = await paysync(['--db', db, 'merchant', 'add', '--config', path.join(dir, 'dax-b.json')], {
    PAYSYNC_OPERATOR: '夜间任务',
  })
  expect(named.code).toBe(0)
  expect((await paysync(['--db', db, 'merchant', 'remove', 'dax-a'])).code).toBe(0)
}, 180_000)

describe('paysync audit', () => {
  it('lists who did what, newest first, with the system user and the transport', async () => {
    const r = await paysync(['--db', db, 'audit', '--json'])
    expect(r.code).toBe(0)
    const page = JSON.parse(r.stdout) as { total: number; items: Array<Record<string, unknown>> }
    expect(page.total).toBe(3)
    expect(page.items.map((i) => [i.event, i.subject, i.operator, i.systemUser, i.transport])).toEqual([
      ['merchant_removed', 'dax-a', me, me, 'cli'],
      ['merchant_added', 'dax-b', '夜间任务', me, 'cli'],
      ['merchant_added', 'dax-a', me, me, 'cli'],
    ])
    // Never a secret, in the rows or their details.
    expect(r.stdout).not.toContain('secret-of-')
  }, 60_000)

  it('filters by event and time, pages, and prints a table', async () => {
    const added = JSON.parse(
      (await paysync(['--db', db, 'audit', '--event', 'merchant_added', '--json'])).stdout,
    )
    expect(added.total).toBe(2)
    const later = JSON.parse((await paysync(['--db', db, 'audit', '--since', '2099-01-01', '--json'])).stdout)
    expect(later.total).toBe(0)
    const one = JSON.parse(
      (await paysync(['--db', db, 'audit', '--limit', '1', '--offset', '1', '--json'])).stdout,
    )
    expect(one.items.map((i: { subject: string }) => i.subject)).toEqual(['dax-b'])

    const text = await paysync(['--db', db, 'audit'])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(
      /^3 audit rows\nTIME \(BEIJING\) +OPERATOR +SYSTEM USER +VIA +EVENT +SUBJECT +DETAIL/,
    )
    expect(text.stdout).toContain('merchant_removed')
  }, 60_000)

  it('refuses an unknown event naming the flag, exit 1', async () => {
    const r = await paysync(['--db', db, 'audit', '--event', 'nope'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/--event/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  }, 60_000)
})
