#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into .electron-native/, apart from the Node build in
// node_modules that the tests, the command line and browser mode use (ARCHITECTURE.md). The app loads
// it through better-sqlite3's nativeBinding option. Skipped when the build for this Electron exists.
// The build fetches Electron's headers from electronjs.org, or from ELECTRON_REBUILD_DIST_URL
// (@electron/rebuild's own variable for a mirror).
//
// scripts/desktop.mjs runs this after Electron's binary is in place; `node scripts/electron-native.mjs`
// runs it alone.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Makes the Electron build of better-sqlite3 unless it is there; false when it could not be made
 * (the reason is printed).
 * @returns {Promise<boolean>}
 */
export async function electronNative() {
  const out = path.join(root, '.electron-native')
  const electronVersion = require('electron/package.json').version
  const sqliteVersion = require('better-sqlite3/package.json').version
  const stamp = path.join(out, 'built-for.json')
  const want = {
    electron: electronVersion,
    betterSqlite3: sqliteVersion,
    platform: process.platform,
    arch: process.arch,
  }

  if (
    fs.existsSync(stamp) &&
    JSON.stringify(JSON.parse(fs.readFileSync(stamp, 'utf8'))) === JSON.stringify(want)
  ) {
    return true
  }

  console.log(
    `preparing better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} in .electron-native/ ...`,
  )
  fs.rmSync(out, { recursive: true, force: true })
  const target = path.join(out, 'node_modules', 'better-sqlite3')
  const source = path.dirname(require.resolve('better-sqlite3/package.json'))
  fs.mkdirSync(target, { recursive: true })
  for (const entry of ['package.json', 'binding.gyp', 'lib', 'src', 'deps']) {
    fs.cpSync(path.join(source, entry), path.join(target, entry), { recursive: true })
  }
  fs.writeFileSync(
    path.join(out, 'package.json'),
    JSON.stringify({
      name: 'paysync-electron-native',
      private: true,
      dependencies: { 'better-sqlite3': sqliteVersion },
    }),
  )

  const { rebuild } = await import('@electron/rebuild')
  try {
    await rebuild({
      buildPath: out,
      electronVersion,
      onlyModules: ['better-sqlite3'],
      force: true,
      mode: 'sequential',
      ...(process.env.ELECTRON_REBUILD_DIST_URL ? { headerURL: process.env.ELECTRON_REBUILD_DIST_URL } : {}),
    })
  } catch (err) {
    console.error(`could not build better-sqlite3 for Electron: ${err.message}`)
    console.error('npm test, the command line and browser mode (npm run serve) do not need this build.')
    return false
  }
  fs.writeFileSync(stamp, JSON.stringify(want))
  console.log('done')
  return true
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (!(await electronNative())) process.exit(1)
}
