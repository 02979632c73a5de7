import os from 'node:os'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { hideCredentials } from './pg/address'

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
  return env.PAYSYNC_DB
    ? path.resolve(bookFile(env.PAYSYNC_DB, 'PAYSYNC_DB'))
    : path.join(userDataDir(env), 'paysync.db')
}

/**
 * The books' file as `--db` or PAYSYNC_DB names it. A team database's address is refused in one
 * sentence: resolved as a path it became a folder named `postgres:` with an empty database in it,
 * or "no database at …/postgres:/…". Whatever works on a team database takes the address before it
 * gets here (server/cli/runtime.ts, the desktop app's app/books.ts); what is a file's alone still
 * refuses it (docs/team-mode.md B8.6).
 */
export function bookFile(named: string, by: '--db' | 'PAYSYNC_DB'): string {
  if (/^postgres(ql)?:\/\//i.test(named.trim()))
    throw AppError.say('invalid_input', 'db.teamAddressAsBooks', {
      by,
      // Whatever precedes an @ may hold a password: never said.
      address: hideCredentials(named.trim()),
    })
  return named
}
