import { z } from 'zod'
import { contract, type OperationName, type OperationOutput } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { describeIssues } from '../../../shared/validation'
import type { ServiceContext } from '../../services/context'
import type { ReadOperation } from '../../services/index'
import type { Reads } from '../../services/reads'

// The command line asks through the contract as the window does: a command turns its flags into an
// operation's input, the contract's schema judges it, and a refusal is said back in the flags' terms
// ("--limit must be a whole number from 1 to 1000, not "abc""), not in the schema's.

/** How a person wrote a field of an input: a flag (`--limit`) or an argument (`the batch id`). */
export interface Flag {
  name: string
  /** Said instead when the value is above the schema's maximum: a page cap says how to page on. */
  above?: (max: number) => string
}

/** The flags of one command by the input field each fills, the path dot-joined: `filter.status`. */
export type Flags = Record<string, string | Flag>

/** The same flags for a part of an input: `within('filter', FILTER_FLAGS)`. */
export function within(part: string, flags: Flags): Flags {
  return Object.fromEntries(Object.entries(flags).map(([path, flag]) => [`${part}.${path}`, flag]))
}

/**
 * A flag's text as a number, for the schema to judge. Text that is no number stays text, so that the
 * schema refuses it under the flag's name, with what was typed.
 */
export function numberOption(value: string): number | string
export function numberOption(value: string | undefined): number | string | undefined
export function numberOption(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  return value.trim() !== '' && Number.isFinite(n) ? n : value
}

/** Only the flags a person gave: a field left out keeps its default downstream, not `undefined`. */
export function given(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
}

/** Calls an operation with the input a command built; a refused input names the command's flags. */
export async function call<K extends OperationName>(
  ctx: ServiceContext,
  name: K,
  input: unknown,
  flags: Flags,
): Promise<OperationOutput<K>> {
  // Every operation of the contract, loaded by the first command that calls one, not by `--help`.
  const { dispatch } = await import('../../services/index')
  try {
    return await dispatch(ctx, name, input)
  } catch (err) {
    throw inFlagTerms(err, contract[name].input, input, flags)
  }
}

/** A read operation on whichever books the command reads (services/reads.ts), in the flags' terms. */
export async function callRead<K extends ReadOperation>(
  r: Reads,
  name: K,
  input: unknown,
  flags: Flags,
): Promise<OperationOutput<K>> {
  const { dispatchRead } = await import('../../services/index')
  try {
    return await dispatchRead(r, name, input)
  } catch (err) {
    throw inFlagTerms(err, contract[name].input, input, flags)
  }
}

/** Checks flags against a schema of the contract, for the work a command does itself (a foreground batch). */
export function check<S extends z.ZodType>(
  schema: S,
  input: Record<string, unknown>,
  flags: Flags,
): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const err = new AppError('invalid_input', describeIssues(parsed.error))
  err.cause = parsed.error
  throw inFlagTerms(err, schema, input, flags)
}

const portSchema = z.object({ port: z.number().int().min(0).max(65535) })

/** A `--port` flag: a TCP port, 0 for any free one. */
export function portOption(value: string): number {
  return check(portSchema, { port: numberOption(value) }, { port: '--port' }).port
}

/** The largest value a field of an operation's input may take: a list's page cap. */
export function maximumOf(name: OperationName, field: string): number {
  const max = numberRule(schemaAt(contract[name].input, [field]))?.max
  if (!max) throw new Error(`${name} sets no maximum for ${field}`)
  return max.value
}

/** The error as it was, or, for a refused input, one sentence naming the flags at fault. */
function inFlagTerms(err: unknown, schema: z.ZodType, input: unknown, flags: Flags): unknown {
  if (!(err instanceof AppError) || !(err.cause instanceof z.ZodError)) return err
  const said: string[] = []
  for (const issue of err.cause.issues) {
    const found = flagOf(issue.path, flags)
    if (!found) return err
    said.push(sentence(issue, found.flag, found.rest, valueAt(input, issue.path), schema))
  }
  return new AppError('invalid_input', [...new Set(said)].join('; '))
}

function flagOf(path: PropertyKey[], flags: Flags): { flag: Flag; rest: PropertyKey[] } | null {
  for (let n = path.length; n > 0; n--) {
    const flag = flags[path.slice(0, n).map(String).join('.')]
    if (flag) return { flag: typeof flag === 'string' ? { name: flag } : flag, rest: path.slice(n) }
  }
  return null
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input
  for (const k of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined
  return v
}

function sentence(
  issue: z.core.$ZodIssue,
  flag: Flag,
  rest: PropertyKey[],
  typed: unknown,
  schema: z.ZodType,
): string {
  const where = rest.length ? `${flag.name} (${rest.map(String).join('.')})` : flag.name
  const not = typed === undefined ? '' : `, not ${JSON.stringify(typed)}`
  if (issue.code === 'invalid_type' && typed === undefined) return `${where} is required`
  const rule = numberRule(schemaAt(schema, issue.path))
  if (rule && ['invalid_type', 'too_small', 'too_big', 'not_multiple_of'].includes(issue.code)) {
    if (issue.code === 'too_big' && flag.above && rule.max) return flag.above(rule.max.value)
    return `${where} must be ${rangeText(rule)}${not}`
  }
  switch (issue.code) {
    case 'invalid_value':
      return `${where} must be one of ${issue.values.map(String).join(', ')}${not}`
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options))
        return `${where} must be one of ${issue.options.map(String).join(', ')}${not}`
      break
    case 'invalid_type':
      // A command-line yes/no (`--repaired yes`) that was neither.
      if (issue.expected === 'boolean') return `${where} must be yes or no${not}`
      break
    case 'too_big':
      if (issue.origin === 'string') return `${where} may be ${issue.maximum} characters at most`
      break
    default:
      // Every other kind of refusal reads well enough in zod's own words.
      break
  }
  return `${where}: ${issue.message}`
}

interface Bound {
  value: number
  inclusive: boolean
}
interface NumberRule {
  int: boolean
  min: Bound | null
  max: Bound | null
}

/** The schema a path of the input leads to, through optional, default and union wrappers. */
function schemaAt(schema: z.core.$ZodType, path: PropertyKey[]): z.core.$ZodType | null {
  let s = schema
  while (
    s instanceof z.ZodOptional ||
    s instanceof z.ZodNullable ||
    s instanceof z.ZodDefault ||
    s instanceof z.ZodPrefault
  )
    s = s.unwrap()
  const [head, ...rest] = path
  if (head === undefined) return s
  if (s instanceof z.ZodObject) {
    const child = (s.shape as Record<string, z.core.$ZodType>)[String(head)]
    return child ? schemaAt(child, rest) : null
  }
  if (s instanceof z.ZodUnion) {
    for (const option of s.options) {
      const found = schemaAt(option, path)
      if (found) return found
    }
  }
  return null
}

function numberRule(schema: z.core.$ZodType | null): NumberRule | null {
  if (!(schema instanceof z.ZodNumber)) return null
  const rule: NumberRule = { int: false, min: null, max: null }
  for (const check of schema._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: number; inclusive?: boolean; format?: string }
    if (def.check === 'number_format' && /int/.test(def.format ?? '')) rule.int = true
    if (def.check === 'greater_than') rule.min = { value: def.value!, inclusive: def.inclusive ?? true }
    if (def.check === 'less_than') rule.max = { value: def.value!, inclusive: def.inclusive ?? true }
  }
  return rule
}

function rangeText(rule: NumberRule): string {
  const what = rule.int ? 'a whole number' : 'a number'
  // A whole number above 0 is one of 1 or more.
  const min =
    rule.min && rule.int && !rule.min.inclusive ? { value: rule.min.value + 1, inclusive: true } : rule.min
  const { max } = rule
  if (min?.inclusive && max?.inclusive) return `${what} from ${min.value} to ${max.value}`
  const parts = [
    min && (min.inclusive ? `of ${min.value} or more` : `above ${min.value}`),
    max && (max.inclusive ? `of at most ${max.value}` : `below ${max.value}`),
  ].filter(Boolean)
  return parts.length ? `${what} ${parts.join(' and ')}` : what
}
