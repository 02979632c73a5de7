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

/**
 * In the page: clicks the menu entry named `label` and resolves with the milliseconds until a row of
 * a list table that was not on the screen before is there (checked every frame, so the figure ends
 * at the frame that shows it). Text made a function: the bench is compiled without the DOM's types.
 */
const SWITCH_BODY = `
  const before = new Set(document.querySelectorAll('.n-data-table'))
  const item = [...document.querySelectorAll('.n-menu-item-content')].find((e) => e.textContent.includes(label))
  if (!item) throw new Error('no menu entry ' + label)
  const t = performance.now()
  item.click()
  return new Promise((resolve, reject) => {
    const tick = () => {
      const rows = document.querySelectorAll('.n-data-table-tbody .n-data-table-tr')
      if ([...rows].some((r) => !before.has(r.closest('.n-data-table')))) resolve(performance.now() - t)
      else if (performance.now() - t > 30000) reject(new Error('no rows after ' + label))
      else requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })`
const switchTo = new Function('label', SWITCH_BODY) as (label: string) => Promise<number>

/** In the page: clicks 概览 and resolves with the milliseconds until its figures are on the screen. */
const BACK_BODY = `
  const item = [...document.querySelectorAll('.n-menu-item-content')].find((e) => e.textContent.includes('概览'))
  if (!item) throw new Error('no menu entry 概览')
  const t = performance.now()
  item.click()
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (document.querySelector('[data-screen="overview"] .n-statistic')) resolve(performance.now() - t)
      else if (performance.now() - t > 30000) reject(new Error('no overview'))
      else requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })`
const switchBack = new Function(BACK_BODY) as () => Promise<number>

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/**
 * Browser mode on a million records: from opening the address to the first rows of the sync record
 * list, and, once the window is open, from a click on 同步记录 in the menu (on 概览) to its first rows
 * and from a click on 概览 back to its figures.
 */
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
    const switches: number[] = []
    const backs: number[] = []
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
      // Moving between screens, the case a person meets all day: one window, a click on 概览 (its
      // own requests left to finish) and a click on 同步记录, nine times; the first of each builds
      // its screen for the first time and is left out, as the first load is above.
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      await context.addCookies(cookies)
      const page = await context.newPage()
      await page.goto(`${origin}/#/overview`)
      await page.locator('[data-screen="overview"] .n-statistic').first().waitFor({ timeout: 30_000 })
      await page.locator('.n-menu-item-content', { hasText: '同步记录' }).click()
      await page.locator('.n-data-table-tbody .n-data-table-tr').first().waitFor({ timeout: 30_000 })
      for (let i = 0; i < 9; i++) {
        backs.push(await page.evaluate(switchBack))
        await page.waitForTimeout(500)
        switches.push(await page.evaluate(switchTo, '同步记录'))
        await page.waitForTimeout(500)
      }
      await context.close()
    } finally {
      await browser.close()
    }
    // The first load also warms the server's caches; the figure is the median of the other seven (a
    // shared two-core machine varies by a third from one load to the next).
    return [
      figure(
        `browser mode: first rows of the sync record list at ${n} records`,
        median(samples.slice(1)),
        'ms',
        500,
        { atMost: 1 },
      ),
      figure(
        `browser mode: screen switch (概览 to 同步记录, first rows) at ${n} records`,
        median(switches.slice(1)),
        'ms',
        150,
        { atMost: 1 },
      ),
      figure(
        `browser mode: screen switch back (同步记录 to 概览, its figures) at ${n} records`,
        median(backs.slice(1)),
        'ms',
        150,
        { atMost: 1 },
      ),
    ]
  } finally {
    proc.kill('SIGTERM')
  }
}
