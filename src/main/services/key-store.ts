import fs from 'node:fs'
import path from 'node:path'
import type { KeyStoreInfo } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { say } from '../../shared/messages'
import { addKeyFile, keyringSchemes, removeKeyFileWrap } from '../store/keyring'
import type { ServiceContext } from './context'
import { keyFileFor } from './context-options'

// The desktop app keeps the data key in the operating system's key store, which a cron job cannot
// reach. Finance staff who also run the nightly `paysync sync --pending` on the same database allow
// it: the data key gets a second wrap under a key file (mode 0600) beside the database. Whoever reads
// that file opens every merchant secret, so the page alone cannot make it: the window asks the person
// in a native dialog the page cannot answer, browser mode leaves it to the command line
// (`paysync keys headless on`). Taking access away again needs no question.

function keyFileOf(ctx: ServiceContext): string | null {
  if (ctx.options.keyFile) return ctx.options.keyFile
  return ctx.options.dbFile === ':memory:' ? null : keyFileFor(ctx.options.dbFile)
}

export function keyStoreInfo(ctx: ServiceContext): KeyStoreInfo {
  const schemes = keyringSchemes(ctx.db)
  const keyFile = keyFileOf(ctx)
  const fallback = ctx.options.passphrase !== undefined ? 'passphrase' : 'keyfile'
  return {
    backend: ctx.options.keyStore?.backend ?? fallback,
    secure: ctx.options.keyStore?.secure ?? true,
    schemes,
    // Its name only: where the key to every secret lies is not the page's to know.
    keyFileName: keyFile === null ? null : path.basename(keyFile),
    headless: schemes.includes('keyfile') && keyFile !== null && fs.existsSync(keyFile),
    needsPassphrase: ctx.needsPassphrase(),
  }
}

/** The passphrase the person gave in the window, where the app has no secure key store. */
export async function unlockWithPassphrase(ctx: ServiceContext, passphrase: string): Promise<KeyStoreInfo> {
  await ctx.givePassphrase(passphrase)
  return keyStoreInfo(ctx)
}

/** Whether the person, not the page, wants the key file written. */
async function personAgrees(ctx: ServiceContext, keyFile: string): Promise<boolean> {
  // The command line is the person's own shell: `paysync keys headless on` is the asking.
  if (ctx.options.transport === 'cli') return true
  const dialogs = ctx.options.dialogs
  if (!dialogs) throw AppError.say('forbidden', 'keys.browser')
  const lang = ctx.settings().language
  return dialogs.confirm({
    title: say('keys.confirm.title', {}, lang),
    message: say('keys.confirm.message', { file: keyFile }, lang),
    detail: say('keys.confirm.detail', {}, lang),
    yes: say('keys.confirm.yes', {}, lang),
    no: say('keys.confirm.no', {}, lang),
  })
}

/** Command-line access on or off; on, and not yet on, only when the person agreed (unchanged if not). */
export async function setHeadless(ctx: ServiceContext, enabled: boolean): Promise<KeyStoreInfo> {
  const keyFile = keyFileOf(ctx)
  if (!keyFile) throw AppError.say('invalid_input', 'keys.memory')
  if (enabled) {
    if (keyStoreInfo(ctx).headless) return keyStoreInfo(ctx)
    // The secrets first: a locked store is said before the person is asked anything.
    const box = await ctx.secretBox()
    if (!(await personAgrees(ctx, keyFile))) return keyStoreInfo(ctx)
    await addKeyFile(ctx.db, box, keyFile)
  } else if (!removeKeyFileWrap(ctx.db)) {
    throw AppError.say('conflict', 'keys.onlyKeyFile')
  }
  return keyStoreInfo(ctx)
}
