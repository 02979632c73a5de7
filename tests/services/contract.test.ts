import { describe, expect, it } from 'vitest'
import { OPERATION_NAMES, EVENT_NAMES, buildApi } from '../../src/shared/api'
import { contract } from '../../src/shared/contract'
import { SERVICE_OPERATIONS } from '../../src/main/services/index'

// The one contract, pinned: adding or removing an operation is a deliberate change to this list.
const PINNED = [
  'anomalies.get',
  'anomalies.list',
  'anomalies.resolve',
  'app.info',
  'audit.list',
  'batches.cancel',
  'batches.get',
  'batches.items',
  'batches.list',
  'batches.openTrades',
  'batches.pause',
  'batches.resume',
  'batches.start',
  'export.run',
  'files.pickOpen',
  'files.pickSave',
  'files.upload',
  'imports.cancel',
  'imports.preview',
  'imports.run',
  'imports.template',
  'keys.setHeadless',
  'keys.setPassphrase',
  'keys.unlock',
  'mappings.export',
  'mappings.list',
  'mappings.remove',
  'mappings.save',
  'merchants.add',
  'merchants.list',
  'merchants.remove',
  'merchants.removeDemo',
  'merchants.setEnabled',
  'merchants.test',
  'merchants.update',
  'orders.get',
  'orders.list',
  'orders.sync',
  'overview.get',
  'records.get',
  'records.list',
  'refunds.get',
  'refunds.list',
  'repairs.list',
  'schedule.release',
  'search.trades',
  'settings.get',
  'settings.set',
  'statements.calendar',
  'statements.carryOver',
  'statements.diffs',
  'statements.dismissDiffs',
  'statements.get',
  'statements.lines',
  'statements.list',
  'statements.original',
  'statements.reconcile',
  'statements.rerun',
  'statements.resyncDiffs',
  'teamDb.check',
  'teamDb.copyIn',
  'teamDb.leave',
  'teamDb.use',
]

describe('the API contract', () => {
  it('has exactly the pinned operations, each with an input schema', () => {
    expect(Object.keys(contract).sort()).toEqual(PINNED)
    for (const name of PINNED)
      expect(typeof contract[name as keyof typeof contract].input.safeParse).toBe('function')
  })

  it('names every operation once for the transports, and services implement exactly those', () => {
    expect([...OPERATION_NAMES].sort()).toEqual(PINNED)
    expect([...SERVICE_OPERATIONS].sort()).toEqual(PINNED)
    expect([...EVENT_NAMES].sort()).toEqual([
      'batch.progress',
      'statement.progress',
      'store.changed',
      'task.progress',
      'teamDb.progress',
    ])
  })

  it('the API built for the window has one function per operation and nothing else', () => {
    const api = buildApi(
      async () => undefined,
      () => () => undefined,
    ) as unknown as Record<string, Record<string, unknown> | unknown>
    const exposed: string[] = []
    for (const [group, methods] of Object.entries(api)) {
      if (group === 'on') continue
      for (const method of Object.keys(methods as object)) exposed.push(`${group}.${method}`)
    }
    expect(exposed.sort()).toEqual(PINNED)
  })
})
