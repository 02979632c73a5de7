import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/main/store/connection'
import { unlockSecrets } from '../../src/main/store/keyring'
import { findMerchantByName, readMerchantSecrets } from '../../src/main/store/merchants'
import { tempDir } from '../helpers/world'

// Review M6 as the review ran it: two `paysync merchant add` on a fresh database, the second started
// 10 to 80 ms after the first. Each process unlocked the empty keyring with a data key of its own and
// the last INSERT OR REPLACE won, so one profile's secrets could never be opened again (6 runs of 8
// with a passphrase). Both profiles must open afterwards, with a passphrase and with the key file.

const BIN = path.resolve('bin/paysync.js')

function profile(name: string, secret: string) {
  return {
    name,
    channel: 'daxpay',
    endpoint: 'http://127.0.0.1:9/',
    version: '3',
    mchNo: 'M100',
    appId: `app-${name}`,
    signType: 'hmac_sha256',
    signSecret: secret,
  }
}

function add(
  db: string,
  config: string,
  env: Record<string, string>,
): Promise<{ code: number; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, '--db', db, 'merchant', 'add', '--config', config], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let err = ''
    p.stderr.on('data', (d: Buffer) => (err += d.toString()))
    p.on('close', (code) => resolve({ code: code ?? -1, err }))
  })
}

beforeAll(async () => {
  // The command line bundles itself on first use: done once here, so the races below race the keyring.
  await promisify(execFile)(process.execPath, [BIN, '--help'], { timeout: 120_000 })
}, 130_000)

describe('two processes adding merchants to a fresh database at once', () => {
  const runs: Array<{ delayMs: number; passphrase?: string }> = [
    { delayMs: 10, passphrase: 'pw' },
    { delayMs: 35, passphrase: 'pw' },
    { delayMs: 60, passphrase: 'pw' },
    { delayMs: 80, passphrase: 'pw' },
    { delayMs: 10 },
    { delayMs: 40 },
  ]

  it.each(runs)(
    'neither loses its secrets (second started $delayMs ms later)',
    async (run) => {
      const dir = tempDir()
      const db = path.join(dir, 'race.db')
      const env: Record<string, string> = run.passphrase ? { PAYSYNC_PASSPHRASE: run.passphrase } : {}
      for (const [name, secret] of [
        ['dax2', 'secret-two'],
        ['dax3', 'secret-three'],
      ]) {
        fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(profile(name!, secret!)))
      }
      const first = add(db, path.join(dir, 'dax2.json'), env)
      await new Promise((r) => setTimeout(r, run.delayMs))
      const second = add(db, path.join(dir, 'dax3.json'), env)
      const results = await Promise.all([first, second])
      expect(results, JSON.stringify(results)).toEqual([
        { code: 0, err: '' },
        { code: 0, err: '' },
      ])

      const store = openStore(db)
      try {
        const box = await unlockSecrets(
          store,
          run.passphrase ? { passphrase: run.passphrase } : { keyFile: path.join(dir, 'race.key') },
        )
        expect(store.prepare('SELECT count(*) AS n FROM keyring').get()).toEqual({ n: 1 })
        expect(readMerchantSecrets(findMerchantByName(store, 'dax2')!, box).secrets).toEqual({
          signSecret: 'secret-two',
        })
        expect(readMerchantSecrets(findMerchantByName(store, 'dax3')!, box).secrets).toEqual({
          signSecret: 'secret-three',
        })
      } finally {
        store.close()
      }
    },
    60_000,
  )
})
