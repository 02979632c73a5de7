import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stallingXlsx } from '../helpers/damaged-xlsx'
import { tempDir } from '../helpers/world'

// A command whose input cannot be read to the end must not exit 0. Found by the import fuzzer: exceljs
// stopped without an error on a damaged .xlsx, the event loop ran empty, and Node ended the process
// with code 0 and no output, so a nightly `paysync import` or `sync --file` reported success. The
// importer now refuses such a file (files/import/xlsx.ts), and main.ts exits 1 on any command that
// stalls like that: either way this file must end in exit 1 and one sentence.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

let dir: string
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('a stalled input', () => {
  it('exits 1 with one sentence on standard error, never 0 and silent', async () => {
    const file = path.join(dir, 'damaged.xlsx')
    fs.writeFileSync(file, await stallingXlsx())
    const outcome = await run(process.execPath, [BIN, '--db', path.join(dir, 's.db'), 'import', file], {
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    )
    expect(outcome.code).toBe(1)
    expect(outcome.stderr.trim().split('\n')).toHaveLength(1)
    expect(outcome.stderr).toMatch(/^paysync: .{20,}/)
  }, 60_000)
})
