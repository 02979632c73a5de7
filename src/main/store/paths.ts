import os from 'node:os'
import path from 'node:path'

/** The product's name, which also names its per-user data folder (as Electron's userData does). */
export const PRODUCT_NAME = 'PaySync Desk'

/** The per-user data folder the desktop app uses; the command line uses the same one. */
export function userDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), PRODUCT_NAME)
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', PRODUCT_NAME)
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), PRODUCT_NAME)
}

/** `--db`, else PAYSYNC_DB, else paysync.db in the data folder. */
export function defaultDbFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAYSYNC_DB ? path.resolve(env.PAYSYNC_DB) : path.join(userDataDir(env), 'paysync.db')
}
