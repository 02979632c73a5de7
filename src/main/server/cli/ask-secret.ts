import fs from 'node:fs'
import { AppError } from '../../../shared/errors'

// A passphrase for the command line (docs/cli.md section 1.5): typed at the terminal with nothing
// echoed, or read from a file of this user's alone. Never an argument: every process of the computer
// can read another's arguments, and shells keep them in their history.

/** One line typed at the terminal, not shown; what is typed goes nowhere else. */
export async function askSecret(prompt: string): Promise<string> {
  const stdin = process.stdin
  if (!stdin.isTTY)
    throw new AppError(
      'invalid_input',
      'no terminal to type the passphrase at: give it with --passphrase-file (or PAYSYNC_PASSPHRASE)',
    )
  // Echo off before the prompt shows: what is typed the moment it appears is not shown either.
  stdin.setRawMode(true)
  stdin.setEncoding('utf8')
  stdin.resume()
  process.stderr.write(prompt)
  let typed: string[] = []
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') return finish(() => resolve(typed.join('')))
          // Ctrl-C and Ctrl-D: the person gave up, and nothing is changed.
          if (ch === '\u0003' || ch === '\u0004')
            return finish(() => reject(new AppError('invalid_input', 'cancelled: nothing was changed')))
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1)
          else if (ch >= ' ') typed.push(ch)
        }
      }
      const finish = (settle: () => void) => {
        stdin.off('data', onData)
        settle()
      }
      stdin.on('data', onData)
    })
  } finally {
    stdin.setRawMode(false)
    stdin.pause()
    process.stderr.write('\n')
  }
}

/** A new passphrase typed twice, so that a slip of the finger does not lock a team out. */
export async function askNewSecret(what: string): Promise<string> {
  const first = await askSecret(`${what}: `)
  const again = await askSecret(`${what} again: `)
  if (first !== again) throw new AppError('invalid_input', 'the two entries differ: nothing was changed')
  return first
}

/**
 * The first line of a file holding a passphrase. Refused when other users may read it, as a key
 * file is (store/keyring.ts): what it holds opens every merchant secret.
 */
export function readSecretFile(file: string): string {
  if (!fs.existsSync(file)) throw new AppError('not_found', `there is no passphrase file at ${file}`)
  const stat = fs.statSync(file)
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0)
    throw new AppError(
      'invalid_input',
      `the passphrase file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
        `restrict it with: chmod 600 ${file}`,
    )
  const line = fs.readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? ''
  if (!line) throw new AppError('invalid_input', `the passphrase file ${file} is empty`)
  return line
}
