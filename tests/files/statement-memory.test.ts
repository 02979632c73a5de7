import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeLargeAlipayZip, writeLargeWechatBill } from '../../bench/bill-files'

// Memory does not grow with the number of lines (docs/reconcile.md A11): a statement of 300 000
// lines is read in a process of its own with no more memory than one of 30 000. The reader is
// bundled first, as the app runs it, so that no loader hook is measured. The rates printed are
// parse-only; the benchmark of parse and store comes with the store.

const run = promisify(execFile)
const HERE = path.dirname(fileURLToPath(import.meta.url))
const LARGE = 300_000
const SMALL = 30_000

interface Reading {
  lines: number
  ms: number
  status: string
  refusal: string | null
  maxRssMb: number
  heapPeakMb: number
}

let dir: string
let childDir: string
let child: string
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-statement-memory-'))
  // The child's bundle keeps its packages outside (zod ...): it lives under the project's
  // node_modules, where Node finds them, while the bills it reads stay in the temp folder.
  const cache = path.join(HERE, '..', '..', 'node_modules', '.cache')
  fs.mkdirSync(cache, { recursive: true })
  childDir = fs.mkdtempSync(path.join(cache, 'paysync-statement-memory-'))
  child = path.join(childDir, 'read-child.mjs')
  await build({
    entryPoints: [path.join(HERE, '..', 'helpers', 'statement-read-child.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  })
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
  fs.rmSync(childDir, { recursive: true, force: true })
})

async function read(file: string, name: string, sha1?: string): Promise<Reading> {
  const { stdout } = await run(process.execPath, [child, file, name, ...(sha1 ? [sha1] : [])], {
    maxBuffer: 1 << 20,
    timeout: 300_000,
  })
  return JSON.parse(stdout.trim().split('\n').pop()!) as Reading
}

function report(what: string, small: Reading, large: Reading): void {
  const rate = Math.round(large.lines / (large.ms / 1000))
  console.log(
    `${what}: ${large.lines} lines in ${Math.round(large.ms)} ms (${rate} lines/s parse only); ` +
      `peak RSS ${large.maxRssMb.toFixed(0)} MB (${small.maxRssMb.toFixed(0)} MB at ${small.lines} lines), ` +
      `peak heap ${large.heapPeakMb.toFixed(0)} MB (${small.heapPeakMb.toFixed(0)} MB)`,
  )
}

describe('statements in bounded memory', () => {
  it('a 300 000-line WeChat bill, gzipped and hashed', async () => {
    const files: Record<number, { file: string; hash: string }> = {}
    for (const n of [SMALL, LARGE]) {
      const file = path.join(dir, `wechat-${n}.csv.gz`)
      files[n] = { file, hash: await writeLargeWechatBill(file, n, true) }
    }
    const small = await read(files[SMALL]!.file, 'bill.csv.gz', files[SMALL]!.hash)
    const large = await read(files[LARGE]!.file, 'bill.csv.gz', files[LARGE]!.hash)
    report('WeChat', small, large)
    expect([small.status, small.lines, large.status, large.lines, large.refusal]).toEqual([
      'parsed',
      SMALL,
      'parsed',
      LARGE,
      null,
    ])
    // Ten times the lines, not ten times the memory: the growth is the garbage collector's slack.
    expect(large.maxRssMb - small.maxRssMb).toBeLessThan(60)
    expect(large.maxRssMb).toBeLessThan(250)
  }, 300_000)

  it('a 300 000-line Alipay zip with its summary', async () => {
    const small = path.join(dir, `alipay-${SMALL}.zip`)
    const large = path.join(dir, `alipay-${LARGE}.zip`)
    await writeLargeAlipayZip(small, SMALL)
    await writeLargeAlipayZip(large, LARGE)
    const a = await read(small, '2088000000000156_20261003.csv.zip')
    const b = await read(large, '2088000000000156_20261003.csv.zip')
    report('Alipay', a, b)
    expect([a.status, a.lines, b.status, b.lines, b.refusal]).toEqual([
      'parsed',
      SMALL,
      'parsed',
      LARGE,
      null,
    ])
    expect(b.maxRssMb - a.maxRssMb).toBeLessThan(60)
    expect(b.maxRssMb).toBeLessThan(250)
  }, 300_000)
})
