import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error bin/bundle.js is plain JavaScript without types
import { sweepOldChunks } from '../../bin/bundle.js'

// The command line's bundle is rebuilt whenever sources change, and each build names its chunks by
// content: abandoned chunks must go, but not while a running process may still import them.

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })))

function outDir(files: Record<string, number>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-bundle-'))
  dirs.push(dir)
  for (const [name, ageHours] of Object.entries(files)) {
    const p = path.join(dir, name)
    fs.writeFileSync(p, '')
    const t = new Date(Date.now() - ageHours * 3600_000)
    fs.utimesSync(p, t, t)
  }
  return dir
}

describe('sweeping old chunks of the command-line bundle', () => {
  it('removes only chunks no build wrote for a day, never the current ones or the entries', () => {
    const dir = outDir({
      'chunk-OLD1.mjs': 30,
      'chunk-OLD1.mjs.map': 30,
      'chunk-RECENT.mjs': 2,
      'chunk-CURRENT.mjs': 48,
      'paysync.mjs': 48,
    })
    sweepOldChunks(dir, new Set([path.join(dir, 'chunk-CURRENT.mjs'), path.join(dir, 'paysync.mjs')]))
    expect(fs.readdirSync(dir).sort()).toEqual(['chunk-CURRENT.mjs', 'chunk-RECENT.mjs', 'paysync.mjs'])
  })
})
