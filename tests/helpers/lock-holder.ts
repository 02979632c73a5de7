import { spawn } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'

// Another program holding the database: a second process, started ahead, that takes the write lock
// (BEGIN IMMEDIATE) when told and keeps it for a while, as a person's SQLite browser or a backup
// tool does. A process of its own, because SQLite's busy wait blocks the thread that waits.

export interface LockHolder {
  /** Takes the lock now and holds it `ms`; resolves once it is held. */
  lock(ms: number): Promise<void>
  /** Resolves once the lock is given back and the process has ended. */
  released: Promise<void>
  kill(): void
}

export async function startLockHolder(dbFile: string): Promise<LockHolder> {
  const code = `
    const Database = require('better-sqlite3')
    const db = new Database(process.argv[1], { timeout: 30000 })
    process.stdout.write('ready\\n')
    process.stdin.once('data', (d) => {
      db.exec('BEGIN IMMEDIATE')
      process.stdout.write('locked\\n')
      setTimeout(() => {
        db.exec('COMMIT')
        db.close()
        process.exit(0)
      }, Number(String(d).trim()))
    })
  `
  const child = spawn(process.execPath, ['-e', code, dbFile], {
    cwd: path.resolve('.'),
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = readline.createInterface({ input: child.stdout })
  const next = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const onLine = (l: string) => {
        if (l.trim() !== word) return
        lines.off('line', onLine)
        resolve()
      }
      lines.on('line', onLine)
      child.once('exit', (c) => reject(new Error(`the lock holder ended (${c}) before "${word}"`)))
    })
  await next('ready')
  const released = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    async lock(ms) {
      const locked = next('locked')
      child.stdin.write(`${ms}\n`)
      await locked
    },
    released,
    kill: () => child.kill('SIGKILL'),
  }
}
