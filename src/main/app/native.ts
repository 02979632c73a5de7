import fs from 'node:fs'
import path from 'node:path'

/**
 * The better-sqlite3 build for Electron's ABI, made by `npm start` (scripts/electron-native.mjs) in a
 * folder of its own so the Node build that tests and the CLI use is never replaced. A packaged app
 * has its own rebuilt copy and needs none.
 */
export function electronNativeBinding(appPath: string, packaged: boolean): string | undefined {
  if (packaged) return undefined
  const file = path.join(
    appPath,
    '.electron-native',
    'node_modules',
    'better-sqlite3',
    'build',
    'Release',
    'better_sqlite3.node',
  )
  return fs.existsSync(file) ? file : undefined
}
