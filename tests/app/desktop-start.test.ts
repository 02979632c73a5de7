import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storedZip } from '../helpers/stored-zip'

// `npm start` without the internet: Electron's own install.js fetches a stand-in Electron from a
// mirror on loopback, and electron-vite launches it. Each start runs in a copy of the project
// (scripts/ and Electron's package copied, the tools it calls linked), so the shared
// node_modules/electron gets no binary and no path.txt. The stand-in is a shell script that writes a
// marker and exits; PAYSYNC_SKIP_ELECTRON_NATIVE=1 leaves out the minutes-long better-sqlite3 build.

const repo = fileURLToPath(new URL('../..', import.meta.url))
const realElectron = path.join(repo, 'node_modules', 'electron')
const electronPackage = JSON.parse(fs.readFileSync(path.join(realElectron, 'package.json'), 'utf8')) as {
  version: string
  files: string[]
}
const version = electronPackage.version
// What install.js writes into path.txt for this platform.
const executableInDist = process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron'
const archive = `electron-v${version}-${process.platform}-${process.arch}.zip`

let dir: string
let server: http.Server
let mirror: string
const requests: string[] = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-desktop-start-'))
  const zip = storedZip([
    {
      name: executableInDist,
      data: '#!/bin/sh\nprintf \'%s\\n\' "$PWD" "$@" > "$PAYSYNC_STANDIN_MARKER"\n',
      mode: 0o755,
    },
    { name: 'version', data: `v${version}` },
  ])
  const files = new Map<string, Buffer>([
    [`/v${version}/${archive}`, zip],
    [
      `/v${version}/SHASUMS256.txt`,
      Buffer.from(`${createHash('sha256').update(zip).digest('hex')} *${archive}\n`),
    ],
  ])
  server = http.createServer((req, res) => {
    const url = req.url ?? ''
    requests.push(url)
    const body = files.get(url)
    if (!body) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A copy of the project holding what the start path touches, Electron's package without a binary. */
function project(name: string): string {
  const root = path.join(dir, name)
  fs.mkdirSync(path.join(root, 'node_modules'), { recursive: true })
  fs.cpSync(path.join(repo, 'scripts'), path.join(root, 'scripts'), { recursive: true })
  // electron-vite checks that package.json's main exists before it launches Electron.
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name, private: true, main: 'main.js' }))
  fs.writeFileSync(path.join(root, 'main.js'), '')
  const electron = path.join(root, 'node_modules', 'electron')
  for (const file of [...electronPackage.files, 'package.json']) {
    fs.cpSync(path.join(realElectron, file), path.join(electron, file), { recursive: true })
  }
  for (const tool of ['@electron/get', '@electron-internal/extract-zip', 'electron-vite']) {
    const link = path.join(root, 'node_modules', tool)
    fs.mkdirSync(path.dirname(link), { recursive: true })
    fs.symlinkSync(path.join(repo, 'node_modules', tool), link, 'junction')
  }
  return root
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** `node scripts/desktop.mjs ...args` in the copy, with none of the caller's Electron settings. */
function start(root: string, args: string[], env: Record<string, string>): Promise<Run> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(electron_|npm_config_electron|npm_package_config_electron|node_options$)/i.test(key),
    ),
  )
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'desktop.mjs'), ...args], {
    cwd: root,
    env: {
      ...clean,
      electron_config_cache: path.join(root, 'electron-cache'),
      PAYSYNC_STANDIN_MARKER: path.join(root, 'launched.txt'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

/** The failure contract: exit 1 and a single line on stderr, no stack trace. */
function expectOneSentence(run: Run): string {
  expect(run.code, run.stdout + run.stderr).toBe(1)
  const lines = run.stderr.trim().split('\n')
  expect(lines, run.stderr).toHaveLength(1)
  expect(run.stderr).not.toMatch(/^\s+at /m)
  return lines[0]!
}

describe.skipIf(process.platform === 'win32')('npm start: Electron binary first, then electron-vite', () => {
  it('downloads the binary from the mirror, writes path.txt, and launches it; a second start downloads nothing', async () => {
    const realPathTxt = fs.existsSync(path.join(realElectron, 'path.txt'))
    const root = project('fetch-and-launch')
    const env = {
      ELECTRON_MIRROR: mirror,
      electron_use_remote_checksums: '1',
      PAYSYNC_SKIP_ELECTRON_NATIVE: '1',
    }
    const first = await start(root, ['preview', '--skipBuild'], env)
    expect(first.code, first.stdout + first.stderr).toBe(0)
    expect(first.stdout).toContain(`downloading Electron ${version}`)
    expect(requests).toContain(`/v${version}/${archive}`)
    expect(requests).toContain(`/v${version}/SHASUMS256.txt`)

    const electron = path.join(root, 'node_modules', 'electron')
    expect(fs.readFileSync(path.join(electron, 'path.txt'), 'utf8')).toBe(executableInDist)
    const executable = path.join(electron, 'dist', executableInDist)
    expect(fs.statSync(executable).mode & 0o111).not.toBe(0)
    // electron-vite ran the stand-in on the project folder: `electron .` in the project.
    expect(fs.readFileSync(path.join(root, 'launched.txt'), 'utf8')).toBe(`${fs.realpathSync(root)}\n.\n`)

    fs.rmSync(path.join(root, 'launched.txt'))
    const asked = requests.length
    const second = await start(root, ['preview', '--skipBuild'], env)
    expect(second.code, second.stdout + second.stderr).toBe(0)
    expect(second.stdout).not.toContain('downloading')
    expect(requests.length).toBe(asked)
    expect(fs.existsSync(path.join(root, 'launched.txt'))).toBe(true)

    // The shared package was left as it was.
    expect(fs.existsSync(path.join(realElectron, 'path.txt'))).toBe(realPathTxt)
  }, 60_000)

  it('a mirror without the archive: one sentence naming what to set, before any build or launch', async () => {
    const root = project('mirror-404')
    // No skip switch: had the start gone on, the better-sqlite3 build would have run and failed here.
    const run = await start(root, ['preview', '--skipBuild'], {
      ELECTRON_MIRROR: `${mirror}missing/`,
      electron_use_remote_checksums: '1',
    })
    const sentence = expectOneSentence(run)
    expect(sentence).toMatch(
      new RegExp(`^Electron ${version.replaceAll('.', '\\.')} could not be downloaded \\(Response code 404`),
    )
    expect(sentence).toContain(`${mirror}missing/v${version}/${archive}`)
    expect(sentence).toContain('set ELECTRON_MIRROR')
    expect(sentence).toContain('ELECTRON_EXEC_PATH')
    expect(run.stdout).not.toContain('better-sqlite3')
    expect(fs.existsSync(path.join(root, 'node_modules', 'electron', 'path.txt'))).toBe(false)
    expect(fs.existsSync(path.join(root, 'launched.txt'))).toBe(false)
  }, 60_000)

  it("refuses an archive that does not match the checksums pinned in Electron's package", async () => {
    const root = project('pinned-checksums')
    const run = await start(root, ['preview', '--skipBuild'], {
      ELECTRON_MIRROR: mirror,
      PAYSYNC_SKIP_ELECTRON_NATIVE: '1',
    })
    const sentence = expectOneSentence(run)
    expect(sentence).toContain(
      `was downloaded but refused (Generated checksum for "${archive}" did not match`,
    )
    expect(sentence).toContain('not the one Electron published')
    expect(fs.existsSync(path.join(root, 'node_modules', 'electron', 'path.txt'))).toBe(false)
    expect(fs.existsSync(path.join(root, 'launched.txt'))).toBe(false)
  }, 60_000)

  it('an Electron of your own (ELECTRON_EXEC_PATH) is launched as it is, nothing downloaded', async () => {
    const root = project('own-electron')
    const own = path.join(root, 'own-electron.sh')
    fs.writeFileSync(own, '#!/bin/sh\necho own > "$PAYSYNC_STANDIN_MARKER"\n', { mode: 0o755 })
    const asked = requests.length
    const run = await start(root, ['preview', '--skipBuild'], {
      ELECTRON_EXEC_PATH: own,
      ELECTRON_MIRROR: mirror,
      PAYSYNC_SKIP_ELECTRON_NATIVE: '1',
    })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(fs.readFileSync(path.join(root, 'launched.txt'), 'utf8')).toBe('own\n')
    expect(requests.length).toBe(asked)
    expect(fs.existsSync(path.join(root, 'node_modules', 'electron', 'path.txt'))).toBe(false)
  }, 60_000)

  it('a Node without require(esm) is told so in one sentence and nothing is downloaded', async () => {
    const root = project('no-require-esm')
    const asked = requests.length
    const run = await start(root, ['preview', '--skipBuild'], {
      ELECTRON_MIRROR: mirror,
      NODE_OPTIONS: '--no-experimental-require-module',
    })
    expect(expectOneSentence(run)).toContain('require(esm) turned off')
    expect(requests.length).toBe(asked)
  }, 60_000)
})

describe('npm install', () => {
  it("downloads no Electron binary: neither this package nor Electron's runs a script at install", () => {
    const installHooks = ['preinstall', 'install', 'postinstall', 'prepare']
    const own = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(Object.keys(own.scripts).filter((s) => installHooks.includes(s))).toEqual([])
    const electron = electronPackage as { scripts?: Record<string, string> }
    expect(Object.keys(electron.scripts ?? {}).filter((s) => installHooks.includes(s))).toEqual([])
    // What a clean `npm ci` installs is what the lock says.
    const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>
    }
    expect(lock.packages['node_modules/electron']).toBeDefined()
    expect(lock.packages['node_modules/electron']!.hasInstallScript).toBeUndefined()
  })
})
