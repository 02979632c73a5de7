import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServiceContext, systemUser } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import { createBatch } from '../../src/main/store/batches'
import { tempDir } from '../helpers/world'
import path from 'node:path'

// Finance staff must be able to say who did what: every decision, repair and batch action names a
// person, without anyone having to find a setting first.
let ctx: ServiceContext
beforeAll(() => {
  ctx = new ServiceContext({
    dbFile: path.join(tempDir(), 'op.db'),
    transport: 'http',
    systemUser: 'zhang.san',
  })
})
afterAll(async () => {
  await ctx.close()
})

const auditRows = () =>
  ctx.db.prepare('SELECT operator, action, target FROM audit_log ORDER BY id').all() as Array<{
    operator: string | null
    action: string
    target: string | null
  }>

describe('who acted', () => {
  it("is the computer's user, until Settings names the operator; an explicit operator wins over both", async () => {
    expect(systemUser()).toMatch(/\S/)
    expect(ctx.operator).toBe('zhang.san')
    await dispatch(ctx, 'settings.set', { operatorName: '李会计' })
    expect(ctx.operator).toBe('李会计')
    const cron = new ServiceContext({
      dbFile: ':memory:',
      transport: 'cli',
      operator: 'cli:cron',
      systemUser: 'x',
    })
    try {
      expect(cron.operator).toBe('cli:cron')
    } finally {
      await cron.close()
    }
  })

  it('pausing, resuming and cancelling a batch are in the audit log with who did it', async () => {
    const id = createBatch(ctx.db, {
      name: 'b',
      sourceFile: null,
      importId: null,
      concurrency: 1,
      qps: 1,
      operator: null,
      items: [],
    })
    await dispatch(ctx, 'batches.pause', { id })
    await dispatch(ctx, 'batches.cancel', { id })
    const rows = auditRows().filter((r) => r.target === `batch:${id}`)
    expect(rows.map((r) => r.action)).toEqual(['batch_paused', 'batch_cancelled'])
    expect(rows.every((r) => r.operator === '李会计')).toBe(true)
  })
})
