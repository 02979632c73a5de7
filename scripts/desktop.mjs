#!/usr/bin/env node
// `npm start` (electron-vite preview) and `npm run dev` (electron-vite dev), cheapest check first so a
// start that cannot succeed says so at once, not after minutes of compiling:
//   1. this Node can run Electron's download tool (scripts/node-check.mjs),
//   2. Electron's binary, downloaded on the first start (scripts/electron-binary.mjs),
//   3. better-sqlite3 built for Electron, minutes the first time (scripts/electron-native.mjs),
//   4. electron-vite, told the binary's path through its ELECTRON_EXEC_PATH.
// Further arguments go to electron-vite: `npm start -- --skipBuild` launches the last build.
//
// PAYSYNC_SKIP_ELECTRON_NATIVE=1 leaves out step 3, for the test of this start path
// (tests/app/desktop-start.test.ts); the app then cannot open its database.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { electronBinary } from './electron-binary.mjs'
import { desktopNodeProblem } from './node-check.mjs'

const require = createRequire(import.meta.url)
const [mode, ...viteArgs] = process.argv.slice(2)
if (mode !== 'preview' && mode !== 'dev') {
  console.error('usage: node scripts/desktop.mjs preview|dev [electron-vite options]')
  process.exit(2)
}

const nodeProblem = desktopNodeProblem()
const binary = nodeProblem ? { problem: nodeProblem } : electronBinary()
if ('problem' in binary) {
  console.error(binary.problem)
  process.exit(1)
}

if (process.env.PAYSYNC_SKIP_ELECTRON_NATIVE === '1') {
  console.log('PAYSYNC_SKIP_ELECTRON_NATIVE=1: better-sqlite3 is not built for Electron')
} else {
  // Loaded only here: the build's dependencies are not needed when it is skipped.
  const { electronNative } = await import('./electron-native.mjs')
  if (!(await electronNative())) process.exit(1)
}

// electron-vite's package exports do not include its bin, so it is found beside its package.json.
const cli = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js')
const child = spawn(process.execPath, [cli, mode, ...viteArgs], {
  stdio: 'inherit',
  env: { ...process.env, ELECTRON_EXEC_PATH: binary.executable },
})
// A terminal's Ctrl+C reaches the whole group; a signal sent to this process alone is passed on so
// the window does not outlive its launcher.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
