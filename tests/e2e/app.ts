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
    [path.resolve('bin/paysync.js'), '--db', db, '--json', 'serve', '--no-schedules', ...extra],
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

export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true })
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false })
}
