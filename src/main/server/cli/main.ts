import { Command, CommanderError, Option } from 'commander'
import { registerBatchCommands } from './commands/batch'
import { registerCheckCommand } from './commands/check'
import { registerDemoCommand } from './commands/demo'
import { registerExportCommand } from './commands/export'
import { registerImportCommand } from './commands/import'
import { registerKeysCommand } from './commands/keys'
import { registerListCommands } from './commands/lists'
import { registerReconcileCommands } from './commands/reconcile'
import { registerMerchantCommands } from './commands/merchant'
import { registerServeCommand } from './commands/serve'
import { registerSimulatorCommand } from './commands/simulator'
import { registerSyncCommand } from './commands/sync'
import { printError, processIo } from './output'
import { EXIT, exitState } from './runtime'

// `paysync`: the engine headless (docs/cli.md section 1). Exit codes: 0 done; 1 could not run (bad
// arguments, unreadable file, bad configuration); 3 ran, but some trades ended in sync_error.

export function buildProgram(): Command {
  const program = new Command()
  program
    .name('paysync')
    .description('PaySync Desk on the command line: sync payment orders with their gateways, headless')
    .addOption(
      new Option('--db <file>', 'database file (default: paysync.db in the data folder; env PAYSYNC_DB)'),
    )
    .option('--json', 'print one JSON document on standard output')
    .showHelpAfterError('(run paysync --help for the commands)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  registerDemoCommand(program)
  registerSimulatorCommand(program)
  registerMerchantCommands(program)
  registerImportCommand(program)
  registerSyncCommand(program)
  registerBatchCommands(program)
  registerListCommands(program)
  registerReconcileCommands(program)
  registerExportCommand(program)
  registerServeCommand(program)
  registerKeysCommand(program)
  registerCheckCommand(program)
  return program
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram()
  exitState.code = EXIT.ok
  try {
    await program.parseAsync(argv)
    return exitState.code
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.cannotRun
    }
    const json = argv.includes('--json')
    const io = processIo(json)
    printError(io, err)
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
