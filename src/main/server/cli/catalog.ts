import { Help, type Command } from 'commander'

// Every command by name, and what `paysync --help` says of it, without loading any command: a
// command's module (and the services, the store, zod, the gateways it brings) loads only when that
// command runs or shows its own help (docs/cli.md section 1). tests/cli/catalog.test.ts holds the
// lines here to the modules' own: top-level help reads the same either way.

type Register = (program: Command) => void

/** The command modules; one may define several commands (the lists, the statements). */
const MODULES = {
  demo: async () => (await import('./commands/demo')).registerDemoCommand,
  simulator: async () => (await import('./commands/simulator')).registerSimulatorCommand,
  merchant: async () => (await import('./commands/merchant')).registerMerchantCommands,
  import: async () => (await import('./commands/import')).registerImportCommand,
  sync: async () => (await import('./commands/sync')).registerSyncCommand,
  batch: async () => (await import('./commands/batch')).registerBatchCommands,
  lists: async () => (await import('./commands/lists')).registerListCommands,
  reconcile: async () => (await import('./commands/reconcile')).registerReconcileCommands,
  export: async () => (await import('./commands/export')).registerExportCommand,
  serve: async () => (await import('./commands/serve')).registerServeCommand,
  keys: async () => (await import('./commands/keys')).registerKeysCommand,
  check: async () => (await import('./commands/check')).registerCheckCommand,
  db: async () => (await import('./commands/db')).registerDbCommands,
} satisfies Record<string, () => Promise<Register>>

type ModuleName = keyof typeof MODULES

interface Entry {
  module: ModuleName
  /** As commander's help names it: the name, `[options]` when it has any, its arguments. */
  term: string
  description: string
}

/** In the order of top-level help. */
const COMMANDS: Record<string, Entry> = {
  demo: {
    module: 'demo',
    term: 'demo',
    description:
      'a first look: a simulated gateway, demo orders that drifted from it, one batch sync, the summary',
  },
  simulator: {
    module: 'simulator',
    term: 'simulator [options]',
    description: 'run the gateway simulator (Alipay, WeChat Pay, DaxPay, UnionPay protocols) until stopped',
  },
  merchant: {
    module: 'merchant',
    term: 'merchant',
    description: 'merchant profiles: add, list, remove, test, and remove-demo',
  },
  import: {
    module: 'import',
    term: 'import [options] <file>',
    description:
      'import an order or refund list (CSV or XLSX); bad rows are reported by line, good rows go in',
  },
  sync: {
    module: 'sync',
    term: 'sync [options]',
    description: 'ask the gateways for the truth and repair what may be repaired safely',
  },
  batch: {
    module: 'batch',
    term: 'batch',
    description: 'batches survive a crash: list, show, resume, pause, cancel, release',
  },
  records: { module: 'lists', term: 'records [options]', description: 'sync records, newest first' },
  orders: { module: 'lists', term: 'orders [options]', description: 'local pay orders, newest first' },
  refunds: { module: 'lists', term: 'refunds [options]', description: 'local refunds, newest first' },
  repairs: { module: 'lists', term: 'repairs [options]', description: 'repair records, newest first' },
  audit: {
    module: 'lists',
    term: 'audit [options]',
    description: 'the audit log, newest first: who (operator, system user), how, what and on what',
  },
  anomalies: {
    module: 'lists',
    term: 'anomalies [options]',
    description: 'anomalies: what a person must decide',
  },
  reconcile: {
    module: 'reconcile',
    term: 'reconcile [options]',
    description: "reconcile a merchant's day with its gateway's bill (downloaded, or --file)",
  },
  statements: {
    module: 'reconcile',
    term: 'statements [options]',
    description: 'reconciled statements, newest bill day first',
  },
  statement: {
    module: 'reconcile',
    term: 'statement',
    description: 'one statement: show, lines, diffs, dismiss',
  },
  export: {
    module: 'export',
    term: 'export [options] <what> [id]',
    description:
      'write a CSV for accounting: records, orders, refunds, repairs, anomalies, batch, rejected, ' +
      'statement-diffs, statement-lines (batch takes its id, --problems for only the problem rows; ' +
      "rejected takes an import's id: the rows it refused)",
  },
  serve: {
    module: 'serve',
    term: 'serve [options]',
    description:
      'browser mode: the desktop screens and their API on loopback; the address it prints signs one browser in, once',
  },
  keys: { module: 'keys', term: 'keys', description: 'how the merchant secrets are protected' },
  check: {
    module: 'check',
    term: 'check',
    description: 'read the whole database file for damage (SQLite quick_check); exit 1 if any is found',
  },
  db: {
    module: 'db',
    term: 'db',
    description: 'team databases on PostgreSQL: check an address, copy a database',
  },
}

/** Defines the command named, with every option and subcommand; false for a name that is none. */
export async function addCommand(program: Command, name: string): Promise<boolean> {
  const entry = COMMANDS[name]
  if (!entry) return false
  ;(await MODULES[entry.module]())(program)
  return true
}

/** Every command, fully defined, in the order of top-level help. */
export async function addEveryCommand(program: Command): Promise<void> {
  const modules = [...new Set(Object.values(COMMANDS).map((c) => c.module))]
  for (const register of await Promise.all(modules.map((m) => MODULES[m]()))) register(program)
}

/**
 * Every command by its name and description alone, for top-level help and for commander's answer to a
 * name that is none ("did you mean ...?"). None of them can run.
 */
export function addCommandNames(program: Command): void {
  for (const [name, { description }] of Object.entries(COMMANDS))
    program.command(name).description(description)
  const terms = new Map(Object.entries(COMMANDS).map(([name, c]) => [name, c.term]))
  const usual = new Help()
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? usual.subcommandTerm(cmd) })
}
