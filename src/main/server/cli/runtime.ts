import type { Command } from 'commander'
import { ServiceContext, systemUser } from '../../services/context'
import { defaultDbFile } from '../../store/paths'
import { processIo, type Io } from './output'

export const EXIT = { ok: 0, cannotRun: 1, syncErrors: 3 } as const

/** The exit code the command chose; main returns it. */
export const exitState = { code: EXIT.ok as number }

export interface GlobalOptions {
  db?: string
  json?: boolean
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>()
}

export function ioOf(cmd: Command): Io {
  return processIo(!!globals(cmd).json)
}

/** Opens the database named by --db / PAYSYNC_DB for one command and closes it afterwards. */
export async function withContext<T>(
  cmd: Command,
  fn: (ctx: ServiceContext, io: Io) => Promise<T> | T,
): Promise<T> {
  const g = globals(cmd)
  const ctx = new ServiceContext({
    dbFile: g.db ?? defaultDbFile(),
    passphrase: process.env.PAYSYNC_PASSPHRASE || undefined,
    transport: 'cli',
    // The command line names no one in Settings: PAYSYNC_OPERATOR, else the computer's user, which
    // every row records beside it anyway, with the transport `cli`.
    operator: process.env.PAYSYNC_OPERATOR || systemUser(),
    systemUser: systemUser(),
  })
  try {
    return await fn(ctx, ioOf(cmd))
  } finally {
    await ctx.close()
  }
}
