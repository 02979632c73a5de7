import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
export const SHOTS = path.resolve('test-results/screenshots')
export const built = fs.existsSync(path.resolve('out/renderer/index.html'))
export const haveChromium = fs.existsSync(CHROMIUM)

/** What keeps the browser tests from running here, in words that say how to fix it. */
export const missing = [
  ...(built ? [] : ['the screens are not built (npx electron-vite build)']),
  ...(haveChromium ? [] : [`${CHROMIUM} is missing (apt-get install chromium)`]),
]

/** CI=true (.ci/run) or any CI service's CI=1; CI=false or 0 is a person's shell. */
export const inCI = !!process.env.CI && !['false', '0'].includes(process.env.CI)

export interface ServedApp {
  open: string
  url: string
  token: string
  db: string
  proc: ChildProcess
  stop(): void
}

/** `paysync serve` on a database of its own, with the built-in sandbox gateway and its demo data. */
export async function serve(db: string, extra: string[] = []): Promise<ServedApp> {
  const proc = spawn(
    process.execPath,
    // --print-token: the door's own test calls the API as a script does, with the run's token.
    [
      path.resolve('bin/paysync.js'),
      '--db',
      db,
      '--json',
      'serve',
      '--create',
      '--no-schedules',
      '--print-token',
      ...extra,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).once('line', resolve)
    proc.once('exit', (c) => reject(new Error(`serve exited with ${c}`)))
  })
  const info = JSON.parse(line) as { open: string; url: string; token: string }
  return { ...info, db, proc, stop: () => proc.kill('SIGTERM') }
}

export async function browser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS })
}

/**
 * A picture of the window as it is now. Transitions are finished, not waited for (`animations:
 * 'disabled'` ends them at once), so a drawer or a tab is photographed where it comes to rest.
 */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false, animations: 'disabled' })
}
