import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/main/store/connection'
import { probe } from '../helpers/sqlite-worker-probe'
import { tempDir } from '../helpers/world'

// A worker body travels as the text its runtime compiled it to. The workers' own tests run it under
// vitest, and `paysync check` under the CLI bundle (integrity.test.ts); tsx, the CLI's fallback,
// compiles with esbuild's keepNames, which leaves calls to a helper the text does not carry.

const dir = tempDir()
const file = path.join(dir, 'probe.db')
const db = openStore(file)
db.exec('CREATE TABLE t (v INTEGER)')
db.prepare('INSERT INTO t (v) VALUES (1), (2), (3)').run()
afterAll(() => {
  db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const EXPECTED = { answer: '3 rows', names: ['count', 'named', 'Answer'] }

describe('a worker body', () => {
  it('runs under vitest', async () => {
    expect(await probe(file, 't')).toEqual(EXPECTED)
  })

  it('runs under tsx, names and all', () => {
    const script = path.resolve('tests/helpers/sqlite-worker-probe.ts')
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, file, 't'], { encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual(EXPECTED)
  })

  it('fails as a worker does, with what stopped it', async () => {
    expect(await probe(file, 'nope')).toEqual({ failed: { code: 'SQLITE_ERROR' } })
  })
})
