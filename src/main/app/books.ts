import { app, dialog } from 'electron'
import { AppError } from '../../shared/errors'
import { say, type MessageId } from '../../shared/messages'
import type { ApiBackend } from '../services/api-backend'
import { BooksChooser, type BooksChoice } from '../services/books-choice'
import type { BooksSwitch } from '../services/books-switch'
import { isPgUrl, pgTarget } from '../store/pg/connect'
import { hideCredentials } from '../store/pg/address'
import { safeStorageWrapper } from './secure-storage'

// Which books the window opens (docs/team-mode.md B8.14): PAYSYNC_DB when set, else the choice made
// in 设置 → 团队数据库 (services/books-choice.ts), else this computer's own file. A team database that
// cannot be opened is said in a box that offers to try again, to open this computer's file instead,
// or to quit: the window never opens other books without the person's word.

/** The books a window works on, and how they close when the app quits. */
export interface OpenBooks {
  backend: ApiBackend
  stop(): Promise<void>
}

/** The app's switch of books: the choice kept in the data folder, restarting the app on it. */
export function booksSwitch(dataDir: string): BooksSwitch {
  const named = process.env.PAYSYNC_DB?.trim()
  return {
    chooser: new BooksChooser(dataDir, safeStorageWrapper()),
    fixedBy: named ? (isPgUrl(named) ? maskedOrAsIs(named) : named) : null,
    restart: () => {
      app.relaunch()
      app.quit()
    },
  }
}

function maskedOrAsIs(address: string): string {
  try {
    return pgTarget(address).masked
  } catch {
    return hideCredentials(address)
  }
}

/** The books PAYSYNC_DB names, else the ones chosen last. */
export async function chosenBooks(books: BooksSwitch): Promise<BooksChoice> {
  const named = process.env.PAYSYNC_DB?.trim()
  if (named) return isPgUrl(named) ? { kind: 'team', address: named } : { kind: 'file' }
  try {
    return await books.chooser.saved()
  } catch (err) {
    // Kept sealed by a key store this computer no longer offers: said, and the file's books open.
    await dialog.showMessageBox({
      type: 'warning',
      title: 'PaySync Desk',
      message: reasonOf(err, 'zh-CN'),
      detail: reasonOf(err, 'en-US'),
      buttons: ['好 OK'],
      noLink: true,
    })
    books.chooser.useFile()
    return { kind: 'file' }
  }
}

/** One sentence of a failure, Chinese first: the catalog's when it has one. */
function reasonOf(err: unknown, lang: 'zh-CN' | 'en-US'): string {
  if (err instanceof AppError && err.id) return say(err.id as MessageId, err.params ?? {}, lang)
  return err instanceof Error ? err.message : String(err)
}

export type TeamOpener = (address: string) => Promise<OpenBooks>

/**
 * Opens the team database, asking the person while it fails: again, this computer's file (the choice
 * then goes back to the file), or quit. `null` means the file's books.
 */
export async function openTeamBooks(
  address: string,
  books: BooksSwitch,
  open: TeamOpener,
): Promise<OpenBooks | null> {
  const masked = maskedOrAsIs(address)
  for (;;) {
    try {
      return await open(address)
    } catch (err) {
      const zh = say('teamDb.openFailed', { address: masked, reason: reasonOf(err, 'zh-CN') }, 'zh-CN')
      const en = say('teamDb.openFailed', { address: masked, reason: reasonOf(err, 'en-US') })
      // PAYSYNC_DB decides for this start: the file is not offered instead.
      const buttons = books.fixedBy
        ? ['重试 Try again', '退出 Quit']
        : ['重试 Try again', '使用本机数据库 Use this computer’s books', '退出 Quit']
      const { response } = await dialog.showMessageBox({
        type: 'error',
        title: 'PaySync Desk',
        message: zh,
        detail: en,
        buttons,
        defaultId: 0,
        cancelId: buttons.length - 1,
        noLink: true,
      })
      if (response === 0) continue
      if (response === buttons.length - 1) throw new BooksDeclined()
      books.chooser.useFile()
      return null
    }
  }
}

/** The person chose to quit rather than open other books: nothing more to say. */
export class BooksDeclined extends Error {
  constructor() {
    super('the person quit rather than open other books')
    this.name = 'BooksDeclined'
  }
}
