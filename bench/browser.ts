import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { packageRoot } from '../src/main/server/root'
import readline from 'node:readline'
import { chromium } from 'playwright-core'
import { figure, type Figure } from './figures'

const ROOT = packageRoot()
export const CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Browser mode on a million records: from opening the address to the first rows of the sync record list. */
export async function browserFigure(recordsDb: string, n: number): Promise<Figure[]> {
  if (!fs.existsSync(CHROMIUM)) return []
  if (!fs.existsSync(path.join(ROOT, 'out/renderer/index.html')))
    throw new Error('build the screens first: npx electron-vite build')
  const proc = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin/paysync.js'),
      '--db',
      recordsDb,
      '--json',
      'serve',
      '--no-sandbox',
      '--no-schedules',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  try {
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: proc.stdout! }).once('line', resolve)
      proc.once('exit', (c) => reject(new Error(`serve exited with ${c}`)))
    })
    const { open } = JSON.parse(line) as { open: string }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    const samples: number[] = []
    try {
      // The address signs one browser in, once: its session cookie then goes into each fresh context,
      // so every load still starts with an empty cache, as a first visit does.
      const signIn = await browser.newContext()
      await (await signIn.newPage()).goto(open)
      const cookies = await signIn.cookies()
      await signIn.close()
      const { origin } = new URL(open)
      for (let i = 0; i < 8; i++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
        await context.addCookies(cookies)
        const page = await context.newPage()
        const t = performance.now()
        await page.goto(`${origin}/#/records`)
        await page.locator('.n-data-table-tbody .n-data-table-tr').first().waitFor({ timeout: 30_000 })
        samples.push(performance.now() - t)
        await context.close()
      }
    } finally {
      await browser.close()
    }
    // The first load also warms the server's caches; the figure is the median of the other seven (a
    // shared two-core machine varies by a third from one load to the next).
    const rest = samples.slice(1).sort((a, b) => a - b)
    return [
      figure(
        `browser mode: first rows of the sync record list at ${n} records`,
        rest[Math.floor(rest.length / 2)]!,
        'ms',
        500,
        { atMost: 1 },
      ),
    ]
  } finally {
    proc.kill('SIGTERM')
  }
}
