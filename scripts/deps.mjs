#!/usr/bin/env node
// `npm run deps [-- --json]`: each runtime dependency with the version installed here and the newest
// the registry has, asked of `npm view` with a timeout. The registry's advisory endpoint is out of
// reach on the machines this is built on, so `npm audit` cannot run there (issue 13, item 11); this is
// the list to read instead, and the lines at the end say how to audit on a connected machine. Offline,
// or when the registry does not answer in time, the newest version is "unknown": never a failure.
//
// PAYSYNC_DEPS_TIMEOUT_MS sets the time each question may take (default 15 s); npm's own settings
// (registry, proxy) apply as for any npm command.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const json = process.argv.includes('--json')
const timeoutMs = Number(process.env.PAYSYNC_DEPS_TIMEOUT_MS) || 15_000
/** At most this many `npm view` at once: each is a Node process of its own. */
const AT_ONCE = 4

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const wanted = manifest.dependencies ?? {}

function installed(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version
  } catch {
    return null
  }
}

/** npm itself: the one running this script under `npm run`, else the one on the PATH. */
function npmCommand() {
  if (process.env.npm_execpath?.endsWith('.js')) return [process.execPath, [process.env.npm_execpath]]
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', []]
}

function newest(name) {
  const [command, first] = npmCommand()
  return new Promise((resolve) => {
    execFile(
      command,
      [...first, 'view', name, 'version', '--json'],
      { cwd: root, timeout: timeoutMs, killSignal: 'SIGKILL', shell: process.platform === 'win32' },
      (err, stdout) => {
        if (err) return resolve(null)
        try {
          const v = JSON.parse(stdout)
          resolve(typeof v === 'string' ? v : Array.isArray(v) && v.length ? String(v.at(-1)) : null)
        } catch {
          resolve(null)
        }
      },
    )
  })
}

async function inTurn(items, work) {
  const out = new Array(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await work(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, items.length) }, lane))
  return out
}

const names = Object.keys(wanted).sort()
const rows = await inTurn(names, async (name) => {
  const have = installed(name)
  const latest = await newest(name)
  const state = !have ? 'not installed' : !latest ? 'unknown' : have === latest ? 'newest' : 'newer available'
  return { name, wanted: wanted[name], installed: have, newest: latest, state }
})

const AUDIT = [
  'Advisories are not in this list. On a machine that reaches the registry, run',
  '  npm audit                    # every dependency, dev ones included: Electron is a dev dependency, and it is bundled into the app',
  '  npm audit --omit=dev         # only what the command line and browser mode load',
  'or, without npm: osv-scanner --lockfile=package-lock.json',
]

if (json) {
  process.stdout.write(`${JSON.stringify({ dependencies: rows, audit: AUDIT.join('\n') })}\n`)
} else {
  const head = { name: 'DEPENDENCY', wanted: 'WANTED', installed: 'INSTALLED', newest: 'NEWEST', state: '' }
  const cells = [head, ...rows].map((r) => [
    r.name,
    r.wanted,
    r.installed ?? '-',
    r.newest ?? 'unknown',
    r.state,
  ])
  const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => String(c[i]).length)))
  for (const c of cells)
    process.stdout.write(
      `${c
        .map((v, i) => String(v).padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    )
  if (rows.some((r) => r.state === 'unknown'))
    process.stdout.write(
      '\nunknown: the registry did not answer (offline, or slower than PAYSYNC_DEPS_TIMEOUT_MS)\n',
    )
  process.stdout.write(`\n${AUDIT.join('\n')}\n`)
}
