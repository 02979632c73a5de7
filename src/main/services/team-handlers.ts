import type { OperationName, OperationOutput } from '../../shared/contract'
import type { ParsedInput } from './index'
import type { TeamHost } from './team-host'

// The shape of the contract's operations on a team database (services/team-operations.ts gathers
// them): each group of operations written once for PostgreSQL keeps its handlers in a file of its own.

export type TeamHandlers = {
  [K in OperationName]?: (host: TeamHost, input: ParsedInput<K>) => Promise<OperationOutput<K>>
}
