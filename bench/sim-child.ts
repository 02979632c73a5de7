import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { packageRoot } from '../src/main/server/root'
import readline from 'node:readline'

// The simulator in a process of its own, as a real gateway would be: its CPU is not the client's.

export interface SimChild {
  url: string
  proc: ChildProcess
  post(pathname: string, body: unknown): Promise<unknown>
  get(pathname: string): Promise<unknown>
  /** Whole merchant profiles, as `--write-merchants` wrote them: the control door lists no secrets. */
  profiles(): Array<Record<string, unknown>>
  stop(): Promise<void>
}

const ROOT = packageRoot()

export async function startSimChild(scenarioFile: string, args: string[] = []): Promise<SimChild> {
  // A folder of its own: a simulator started earlier in the same run left its merchants' profiles in
  // the folder before, and the first of those (sorted) pointed at a port nobody listened on any more.
  const profileDir = fs.mkdtempSync(path.join(path.dirname(scenarioFile), 'sim-profiles-'))
  const proc = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin/paysync.js'),
      'simulator',
      '--scenario',
      scenarioFile,
      '--write-merchants',
      profileDir,
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const line = await new Promise<string>((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout! })
    rl.once('line', resolve)
    proc.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
  })
  const url = (JSON.parse(line) as { url: string }).url
  const call = async (method: string, pathname: string, body?: unknown) => {
    const res = await fetch(`${url}${pathname}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${pathname}: HTTP ${res.status} ${await res.text()}`)
    return res.json() as Promise<unknown>
  }
  return {
    url,
    proc,
    post: (p, b) => call('POST', p, b),
    get: (p) => call('GET', p),
    profiles: () =>
      fs
        .readdirSync(profileDir)
        .sort()
        .map((f) => JSON.parse(fs.readFileSync(path.join(profileDir, f), 'utf8')) as Record<string, unknown>),
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve())
        proc.kill('SIGTERM')
      }),
  }
}

export function writeScenario(
  dir: string,
  merchants: Array<{ name: string; channel: string; mode?: string }>,
): string {
  const file = path.join(dir, 'scenario.json')
  fs.writeFileSync(file, JSON.stringify({ merchants, orders: [], refunds: [] }))
  return file
}
