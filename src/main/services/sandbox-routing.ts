import type { OperationName } from '../../shared/contract'
import type { ServiceContext } from './context'

// Which database an operation works on while the window shows the sandbox (services/sandbox.ts),
// apart from the sandbox itself: every call passes through here, and the sandbox brings the
// scheduler, the simulator and the demo, which a command-line list must not load.

/**
 * Operations about the books whatever the window shows: the run's information, the person's settings
 * and keys, the old demo's removal, adding a merchant of their own, which ends the sandbox, and the
 * team database the books are copied into or that becomes the books.
 * Everything else works on the sandbox's database while it is shown.
 */
const BOOKS_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>([
  'app.info',
  'settings.get',
  'settings.set',
  'keys.setHeadless',
  'keys.unlock',
  'keys.setPassphrase',
  'merchants.add',
  'merchants.removeDemo',
  'teamDb.check',
  'teamDb.copyIn',
  'teamDb.use',
  'teamDb.leave',
])

/** The context an operation works on: the sandbox's while the window shows it, else the books'. */
export function contextFor(ctx: ServiceContext, name: OperationName): ServiceContext {
  return ctx.sandbox && !BOOKS_OPERATIONS.has(name) ? ctx.sandbox.ctx : ctx
}

/** After an operation: a merchant of the books' own ends the sandbox, and the window goes to the books. */
export async function afterOperation(ctx: ServiceContext, name: OperationName): Promise<void> {
  if (name === 'merchants.add' && ctx.sandbox) await ctx.sandbox.leave()
}
