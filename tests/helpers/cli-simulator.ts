import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll } from 'vitest'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { tempDir } from './world'

// The setting of the tests that drive the real command-line bundle against the simulator: one
// simulated merchant, its profile written where `paysync merchant add --config` reads it, and a
// temp folder for the books, made before the file's tests and removed after them.

const run = promisify(execFile)
export const BIN = path.resolve('bin/paysync.js')

/** `paysync ARGS` through the built bundle, as a cron or a shell runs it. */
export const paysync = (args: string[]) => run(process.execPath, [BIN, ...args], { timeout: 120_000 })

export interface CliSimulator {
  /** The temp folder of the file's books and files. */
  readonly dir: string
  readonly sim: Simulator
  /** Where the merchant's profile is written, for `merchant add --config`. */
  readonly profile: string
}

/** Starts the simulator with one Alipay merchant named `merchant` for the calling test file. */
export function useCliSimulator(merchant: string): CliSimulator {
  let dir = ''
  let sim: Simulator | undefined
  beforeAll(async () => {
    dir = tempDir()
    sim = await startSimulator({
      scenario: { merchants: [{ name: merchant, channel: 'alipay' }], orders: [], refunds: [] },
    })
    fs.writeFileSync(path.join(dir, 'm.json'), JSON.stringify(sim.profiles()[0]))
  })
  afterAll(async () => {
    await sim?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  return {
    get dir() {
      return dir
    },
    get sim() {
      if (!sim) throw new Error('the simulator starts in beforeAll')
      return sim
    },
    get profile() {
      return path.join(dir, 'm.json')
    },
  }
}
