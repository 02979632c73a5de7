import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { AppError } from '../../../../shared/errors'
import type { HttpServer } from '../../http/server'

// What `paysync serve` does the same on a database file and on a team database: the checks before it
// starts anything, the lines it prints, and the wait for Ctrl-C or a service manager's SIGTERM.

/**
 * A port someone else listens on, found before anything is created: serve used to open (or create)
 * the database and start the sandbox first, then fail to listen (review-newcomer m6).
 */
export async function ensurePortFree(port: number): Promise<void> {
  if (port === 0) return
  const probe = net.createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen(port, '127.0.0.1', () => resolve())
    })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new AppError(
      'config',
      code === 'EADDRINUSE'
        ? `port ${port} is in use on 127.0.0.1: choose another with --port, or --port 0 for any free one`
        : `cannot listen on 127.0.0.1:${port} (${code ?? (err as Error).message}): choose another --port`,
    )
  }
  await new Promise((resolve) => probe.close(resolve))
}

/** The screens must be built before anything else is started. */
export function checkScreens(rendererDir: string): void {
  const renderer = path.resolve(rendererDir)
  if (!fs.existsSync(path.join(renderer, 'index.html')))
    throw new AppError(
      'config',
      `the screens are not built (${renderer}/index.html is missing): run npm run build first, or name them with --renderer`,
    )
}

/**
 * The address to open, and where the books are. The open address signs in once, so printing it hands
 * nothing lasting to a log; the token lasts the run and opens the whole API, so it is printed only
 * when asked for.
 */
export function announce(
  server: HttpServer,
  o: { json?: boolean; printToken?: boolean },
  books: { db: string; sandbox: string | null },
): void {
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({
        url: server.url,
        open: server.openUrl,
        ...(o.printToken ? { token: server.token } : {}),
        ...books,
      })}\n`,
    )
    return
  }
  process.stdout.write(`PaySync Desk in your browser: ${server.openUrl}\n`)
  process.stdout.write(
    `(loopback only; the address signs one browser in and then works no more. Database: ${books.db}${books.sandbox ? `; sandbox gateway at ${books.sandbox}` : ''})\n`,
  )
  if (o.printToken) process.stdout.write(`API token for scripts (Authorization: Bearer): ${server.token}\n`)
}

/** Serving lasts until Ctrl-C or SIGTERM. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
}
