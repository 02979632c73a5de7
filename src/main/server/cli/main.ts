import { Command, CommanderError, Option } from 'commander'
import { addCommand, addCommandNames, addEveryCommand } from './catalog'
import { EXIT, exitState } from './exit'

// `paysync`: the engine headless (docs/cli.md section 1). Exit codes: 0 done; 1 could not run (bad
// arguments, unreadable file, bad configuration); 3 ran, but some trades ended in sync_error.

function programShell(): Command {
  return new Command()
    .name('paysync')
    .description('PaySync Desk on the command line: sync payment orders with their gateways, headless')
    .addOption(
      new Option('--db <file>', 'database file (default: paysync.db in the data folder; env PAYSYNC_DB)'),
    )
    .option('--json', 'print one JSON document on standard output')
    .showHelpAfterError('(run paysync --help for the commands)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
}

/** The command the arguments name, `help <command>` included; null for none (top-level help). */
function commandNamed(args: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    // Help asked before any command is top-level help, whatever follows.
    if (a === '-h' || a === '--help') return null
    // The program's own options come before or after the command; only --db takes a value.
    if (a === '--db') i++
    else if (a === '--') return args[i + 1] ?? null
    else if (!a.startsWith('-'))
      return a === 'help' ? (args.slice(i + 1).find((b) => !b.startsWith('-')) ?? null) : a
  }
  return null
}

/**
 * The program for these arguments: the command they name, defined in full, or, for top-level help
 * and a name that is no command, every command by name only. Loading one command's module is what
 * keeps `paysync --help` and a list quick (docs/cli.md section 1, the README's Performance).
 */
export async function programFor(argv: string[]): Promise<Command> {
  const program = programShell()
  const name = commandNamed(argv.slice(2))
  if (!name || !(await addCommand(program, name))) addCommandNames(program)
  return program
}

/** The program with every command defined in full: what top-level help must read the same as. */
export async function fullProgram(): Promise<Command> {
  const program = programShell()
  await addEveryCommand(program)
  return program
}

export async function main(argv: string[]): Promise<number> {
  exitState.code = EXIT.ok
  try {
    const program = await programFor(argv)
    await program.parseAsync(argv)
    return exitState.code
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.cannotRun
    }
    const json = argv.includes('--json')
    const { printError, processIo } = await import('./output')
    printError(processIo(json), err)
    // Every failure that stops a command is exit 1, ours (AppError, StoreError) or not; exit 3 is
    // chosen by the command itself, for a run that finished with trades in sync_error.
    return EXIT.cannotRun
  }
}

const isEntry = process.argv[1] && /paysync(\.js)?$|cli[\\/]main\.ts$/.test(process.argv[1])
if (isEntry) {
  // Whatever this process creates (the database and its side files, exports, journals, folders) is
  // this user's alone, whatever the shell's umask (review L5); the code also says 0600 and 0700
  // where it creates the books' own files.
  process.umask(0o077)
  let settled = false
  // A command whose work stalls for good (a library waiting on a stream that will never end, as
  // exceljs does on a damaged .xlsx) leaves the event loop empty, and Node would exit 0 as if it had
  // succeeded: a cron job would never know. Found by the import fuzzer (tests/files/import-fuzz).
  process.once('beforeExit', () => {
    if (settled) return
    process.stderr.write(
      'paysync: the command stopped before it finished (its input could not be read to the end); nothing more was done\n',
    )
    process.exitCode = EXIT.cannotRun
  })
  main(process.argv).then(
    (code) => {
      settled = true
      process.exitCode = code
    },
    (err: unknown) => {
      settled = true
      process.stderr.write(`paysync: ${(err as Error).message}\n`)
      process.exitCode = EXIT.cannotRun
    },
  )
}
