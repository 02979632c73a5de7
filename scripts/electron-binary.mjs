#!/usr/bin/env node
// Electron's binary, fetched as the first step of `npm start` and `npm run dev`.
//
// Electron's npm package has no install script: the binary comes on first `require('electron')`,
// whose index.js runs the package's install.js (@electron/get: ELECTRON_MIRROR, ELECTRON_CUSTOM_DIR,
// electron_config_cache, the archive checksums pinned in checksums.json unless
// electron_use_remote_checksums is set, ELECTRON_GET_USE_PROXY). electron-vite never requires it: it
// reads node_modules/electron/path.txt and throws a bare "Electron uninstall" when that is missing.
// So this step runs the same install.js with this Node, which keeps every one of Electron's own
// settings, and turns a failure into one sentence. `npm install` downloads nothing.
//
// Run alone, `node scripts/electron-binary.mjs` fetches the binary and prints its path.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { desktopNodeProblem } from './node-check.mjs'

const require = createRequire(import.meta.url)

/**
 * The Electron executable electron-vite should launch, downloaded first when it is missing.
 * ELECTRON_EXEC_PATH (electron-vite's) and ELECTRON_OVERRIDE_DIST_PATH (Electron's) name one the
 * user has, and are taken as they are.
 * @param {(line: string) => void} log
 * @returns {{ executable: string } | { problem: string }}
 */
export function electronBinary(log = (line) => console.log(line)) {
  const preset = process.env.ELECTRON_EXEC_PATH
  if (preset) {
    return fs.existsSync(preset)
      ? { executable: preset }
      : { problem: `ELECTRON_EXEC_PATH names ${preset}, which does not exist: correct it or unset it.` }
  }
  let dir
  try {
    dir = path.dirname(require.resolve('electron/package.json'))
  } catch {
    return { problem: 'Electron is not in node_modules: run npm install first.' }
  }
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  if (override) {
    const executable = path.join(override, readText(path.join(dir, 'path.txt')) || 'electron')
    return fs.existsSync(executable)
      ? { executable }
      : { problem: `ELECTRON_OVERRIDE_DIST_PATH holds no ${executable}: correct it or unset it.` }
  }

  const installed = installedExecutable(dir, version)
  if (installed) return { executable: installed }
  log(`downloading Electron ${version} (about 100 MB, once) ...`)
  // install.js prints a failure as a stack trace on stderr; its first line is the reason.
  const run = spawnSync(process.execPath, [path.join(dir, 'install.js')], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  })
  const executable = installedExecutable(dir, version)
  if (run.status === 0 && executable) return { executable }
  const reason = run.error
    ? run.error.message
    : (failureReason(run.stderr ?? '') ?? `install.js ended with ${run.status ?? run.signal}`)
  return { problem: downloadProblem(version, reason) }
}

/** The executable install.js left, when it is there and of this version (its own isInstalled test). */
function installedExecutable(dir, version) {
  const relative = readText(path.join(dir, 'path.txt'))
  const installedVersion = readText(path.join(dir, 'dist', 'version'))
    ?.trim()
    .replace(/^v/, '')
  if (!relative || installedVersion !== version) return undefined
  const executable = path.join(dir, 'dist', relative)
  return fs.existsSync(executable) ? executable : undefined
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** The first line of a printed stack, without the error's class name. */
function failureReason(stderr) {
  const line = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('at '))
  if (!line) return undefined
  const message = line.replace(/^[\w.]*Error(?: \[\w+\])?: /, '').replace(/\.$/, '')
  // Node's fetch hides the network error behind this phrase.
  return message === 'fetch failed' ? 'the download server could not be reached' : message
}

function downloadProblem(version, reason) {
  // Another mirror is no answer to an altered archive: the one that altered it is named instead.
  if (/checksum/i.test(reason)) {
    return (
      `Electron ${version} was downloaded but refused (${reason}): the archive is not the one Electron ` +
      `published, so check ELECTRON_MIRROR and any proxy, or set ELECTRON_EXEC_PATH to an Electron ` +
      `${version} executable, and start again.`
    )
  }
  return (
    `Electron ${version} could not be downloaded (${reason}): set ELECTRON_MIRROR to a mirror you can ` +
    `reach (in China: ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ ELECTRON_CUSTOM_DIR="{{ version }}"), ` +
    `or ELECTRON_EXEC_PATH to an Electron ${version} executable, and start again.`
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const nodeProblem = desktopNodeProblem()
  const binary = nodeProblem ? { problem: nodeProblem } : electronBinary()
  if ('problem' in binary) {
    console.error(binary.problem)
    process.exit(1)
  }
  console.log(binary.executable)
}
