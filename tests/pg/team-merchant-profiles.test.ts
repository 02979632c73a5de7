import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type pg from 'pg'
import { copyDatabase } from '../../src/main/services/db-copy'
import { dispatch } from '../../src/main/services/index'
import { openPgPool, pgTarget } from '../../src/main/store/pg/connect'
import { TeamDesk } from '../../src/main/services/team-desk'
import { TeamHost } from '../../src/main/services/team-host'
import { dispatchTeam } from '../../src/main/services/team-operations'
import type { MerchantView } from '../../src/shared/entity-views'
import type { StoreChangedEvent } from '../../src/shared/live'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// Merchant profiles added, changed, switched off and removed on a team database (docs/team-mode.md
// B8.17) through `dispatchTeam`, as the window calls them: the same checks as on the file, sealed with
// the team key, audited under the operator, one name for two desktops adding it at once, and another
// desktop's next sync using the profile as it is now.

const TEAM = 'Team-Pass for 2026!'

describe.skipIf(pgMissing())('merchant profiles on a team database', () => {
  let w: World
  let url: string
  let amy: TeamHost
  let bob: TeamHost
  let pool: pg.Pool
  /** The simulator's Alipay profile: its keys answer the simulator whatever the profile's name. */
  let ali: Record<string, unknown>
  let order: number
  const desk = async (operator: string, keys: { passphrase?: string } = { passphrase: TEAM }) => {
    const d = await TeamDesk.open(url, {
      keys,
      actor: { operator, systemUser: operator, transport: 'http' },
      dataDir: tempDir('paysync-team-data-'),
    })
    return new TeamHost(d, tempDir())
  }
  const row = async (id: number) =>
    (await pool.query('SELECT * FROM merchants WHERE id = $1', [id])).rows[0] as {
      name: string
      secrets: Buffer | null
      enabled: number
      removed_at: number | null
      updated_at: number
    }
  const audits = async (target: string) =>
    (
      await pool.query(
        'SELECT operator, transport, action, detail FROM audit_log WHERE target = $1 ORDER BY id',
        [target],
      )
    ).rows
  /** What the merchant form sends on edit when nothing secret was typed. */
  const formEdit = (view: MerchantView) => ({
    name: view.name,
    channel: view.channel,
    endpoint: view.endpoint,
    ...view.settings,
  })
  /** Waits until `n` statements wait for a lock: the table held by `holder`, or a row another holds. */
  const untilWaiting = async (n: number) => {
    for (;;) {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')
      if (rows[0].n >= n) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  /** Runs `race` while the merchants table is held, let go once `waiting` statements wait on it. */
  const whileHeld = async <T>(race: () => Promise<T>): Promise<T> => {
    const holder = await pool.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('LOCK TABLE merchants IN SHARE ROW EXCLUSIVE MODE')
      const done = race()
      await untilWaiting(2)
      await holder.query('COMMIT')
      return await done
    } finally {
      holder.release()
    }
  }
  const privateLine = () => String(ali.appPrivateKey).split('\n')[1]!

  beforeAll(async () => {
    w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }], context: { passphrase: TEAM } })
    ali = w.sim.profiles().find((p) => p.channel === 'alipay')! as Record<string, unknown>
    order = w.payOrder({ merchant: 'ali', orderNo: 'PROFILE-1', status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'PROFILE-1', amount: 1000, state: 'WAIT_BUYER_PAY' })
    url = await freshDatabase()
    expect((await copyDatabase(w.dbFile, url)).outcome).toBe('copied')
    pool = openPgPool(pgTarget(url), 2)
    amy = await desk('amy')
    bob = await desk('bob')
  })

  afterAll(async () => {
    await amy?.close()
    await bob?.close()
    await pool?.end()
    await w?.close()
  })

  it('adds a profile sealed with the team key, never shown, audited under the operator, usable by another desktop', async () => {
    // Bob's window hears of it without a refresh: the merchants moved (store.changed).
    const told: StoreChangedEvent[] = []
    const off = bob.on('store.changed', (e) => told.push(e))
    // Its watch's starting point read first, as a window's is long before anyone changes a profile.
    const watch = (bob as unknown as { watch: { last: unknown } }).watch
    await vi.waitFor(() => expect(watch.last).not.toBeNull())
    const view = await dispatchTeam(amy, 'merchants.add', { ...ali, name: 'ali-team' })
    expect(view).toMatchObject({ name: 'ali-team', channel: 'alipay', enabled: true })
    await vi.waitFor(() => expect(told.flatMap((e) => e.topics)).toContain('merchants'), { timeout: 10_000 })
    off()
    expect(view.secrets).toMatchObject({ appPrivateKey: true })
    const listed = await dispatchTeam(bob, 'merchants.list', {})
    expect(listed.map((m) => m.name)).toEqual(['ali', 'ali-team'])
    expect(JSON.stringify([view, listed])).not.toContain(privateLine())

    const stored = await row(view.id)
    expect(stored.secrets!.toString('latin1')).not.toContain(privateLine())
    const box = await bob.desk.merchants.secretBox()
    expect(box.openBound(stored.secrets!).secrets.appPrivateKey!.trim()).toBe(
      String(ali.appPrivateKey).trim(),
    )

    const [added] = await audits('ali-team')
    expect(added).toMatchObject({ operator: 'amy', transport: 'http', action: 'merchant_added' })
    expect(JSON.parse(added.detail)).toMatchObject({ channel: 'alipay', secrets: ['appPrivateKey'] })
    expect(added.detail).not.toContain(privateLine())

    // Bob's desktop opens the secrets Amy's sealed: the gateway answers a signed call.
    expect(await dispatchTeam(bob, 'merchants.test', { id: view.id })).toMatchObject({
      ok: true,
      signatureValid: true,
    })
    // The same name again is refused as on the file, whoever asks.
    await expect(dispatchTeam(bob, 'merchants.add', { ...ali, name: 'ali-team' })).rejects.toMatchObject({
      code: 'conflict',
      id: 'merchant.exists',
    })
  })

  it('updates with the secrets kept, refuses an anchor change without them, as the file does', async () => {
    const view = (await dispatchTeam(amy, 'merchants.list', {})).find((m) => m.name === 'ali-team')!
    const before = await row(view.id)
    const saved = await dispatchTeam(amy, 'merchants.update', {
      id: view.id,
      profile: { ...formEdit(view), qps: 5 },
    })
    expect(saved.settings.qps).toBe('5')
    expect(saved.secrets).toMatchObject({ appPrivateKey: true })
    const after = await row(view.id)
    expect(after.updated_at).toBeGreaterThanOrEqual(before.updated_at)
    const box = await amy.desk.merchants.secretBox()
    expect(box.openBound(after.secrets!).secrets.appPrivateKey).toBe(
      box.openBound(before.secrets!).secrets.appPrivateKey,
    )
    expect((await audits('ali-team')).at(-1)).toMatchObject({ operator: 'amy', action: 'merchant_changed' })
    expect(await dispatchTeam(bob, 'merchants.test', { id: view.id })).toMatchObject({ ok: true })

    // A trust anchor moved with the stored secrets kept: refused, with the file's sentence, nothing written.
    const edit = { ...formEdit(saved), qps: 5, appId: '2021000000000999' }
    const onTeam = await dispatchTeam(amy, 'merchants.update', { id: view.id, profile: edit }).catch(
      (e: unknown) => e,
    )
    const fileView = (await dispatch(w.ctx, 'merchants.list', {}))[0]!
    const onFile = await dispatch(w.ctx, 'merchants.update', {
      id: fileView.id,
      profile: { ...formEdit(fileView), appId: '2021000000000999' },
    }).catch((e: unknown) => e)
    expect(onTeam).toMatchObject({ id: 'merchant.anchorsChanged', params: { secretFields: 'appPrivateKey' } })
    expect(onFile).toMatchObject({ id: 'merchant.anchorsChanged', params: { secretFields: 'appPrivateKey' } })
    const { secrets, updated_at } = await row(view.id)
    expect({ secrets, updated_at }).toEqual({ secrets: after.secrets, updated_at: after.updated_at })
  })

  it('a profile switched off or changed on one desktop is used as it is now by the next sync of another', async () => {
    const id = w.merchantId('ali')
    const sync = (host: TeamHost) => dispatchTeam(host, 'orders.sync', { type: 'pay', ids: [order] })
    /** What the trade's latest sync came to, on either store. */
    const lastSync = async () =>
      (
        await pool.query(
          `SELECT outcome, error_code FROM sync_records WHERE trade_type = 'pay' AND trade_id = $1
            ORDER BY id DESC LIMIT 1`,
          [order],
        )
      ).rows[0]
    expect(await sync(bob)).toMatchObject({ total: 1, errors: 0 })
    const cached = await bob.desk.merchants.adapterFor(id)
    expect(await bob.desk.merchants.adapterFor(id)).toBe(cached)

    const off = await dispatchTeam(amy, 'merchants.setEnabled', { id, enabled: false })
    expect(off.enabled).toBe(false)
    expect((await audits('ali')).at(-1)).toMatchObject({
      operator: 'amy',
      action: 'merchant_changed',
      detail: JSON.stringify({ enabled: false }),
    })
    // Bob's desktop had the adapter; its next sync is refused as the file refuses a disabled merchant's.
    const refused = await sync(bob)
    await dispatch(w.ctx, 'merchants.setEnabled', { id, enabled: false })
    const onFile = await dispatch(w.ctx, 'orders.sync', { type: 'pay', ids: [order] })
    await dispatch(w.ctx, 'merchants.setEnabled', { id, enabled: true })
    const { durationMs: _t, ...teamSummary } = refused
    const { durationMs: _f, ...fileSummary } = onFile
    expect(teamSummary).toEqual(fileSummary)
    expect(refused.errors).toBe(1)
    const fileRecord = w.ctx.db
      .prepare(
        "SELECT outcome, error_code FROM sync_records WHERE trade_type = 'pay' AND trade_id = ? ORDER BY id DESC LIMIT 1",
      )
      .get(order)
    expect(await lastSync()).toEqual(fileRecord)
    expect(await lastSync()).toMatchObject({ outcome: 'error', error_code: 'merchant_config' })
    await expect(bob.desk.merchants.adapterFor(id)).rejects.toMatchObject({ id: 'merchant.disabled' })

    await dispatchTeam(amy, 'merchants.setEnabled', { id, enabled: true })
    expect(await sync(bob)).toMatchObject({ total: 1, errors: 0 })
    // Changed on Amy's desktop: Bob's adapter is made again from the profile as it is now.
    const again = await bob.desk.merchants.adapterFor(id)
    const view = (await dispatchTeam(amy, 'merchants.list', {})).find((m) => m.id === id)!
    await dispatchTeam(amy, 'merchants.update', { id, profile: { ...formEdit(view), qps: 3 } })
    const renewed = await bob.desk.merchants.adapterFor(id)
    expect(renewed).not.toBe(again)
    expect(await bob.desk.merchants.adapterFor(id)).toBe(renewed)
  })

  it('removes a profile: its secrets forgotten, its name free again for the same row', async () => {
    const { id } = (await dispatchTeam(bob, 'merchants.list', {})).find((m) => m.name === 'ali-team')!
    await bob.desk.merchants.adapterFor(id)
    expect(await dispatchTeam(amy, 'merchants.remove', { id })).toEqual({ removed: true })
    const gone = await row(id)
    expect(gone).toMatchObject({ secrets: null, enabled: 0 })
    expect(gone.removed_at).not.toBeNull()
    expect((await audits('ali-team')).at(-1)).toMatchObject({ operator: 'amy', action: 'merchant_removed' })
    expect((await dispatchTeam(bob, 'merchants.list', {})).map((m) => m.name)).toEqual(['ali'])
    await expect(bob.desk.merchants.adapterFor(id)).rejects.toMatchObject({ id: 'merchant.noProfile' })
    await expect(dispatchTeam(bob, 'merchants.remove', { id })).rejects.toMatchObject({
      id: 'merchant.notFound',
    })
    // Added again, the removed row comes back, its history with it.
    const back = await dispatchTeam(bob, 'merchants.add', { ...ali, name: 'ali-team' })
    expect(back.id).toBe(id)
    expect(await dispatchTeam(amy, 'merchants.test', { id })).toMatchObject({ ok: true })
  })

  it('two desktops adding one name at once: one wins, the other is told the name exists', async () => {
    // Both get past their first look before either writes: the table is held until both wait on it.
    const outcomes = await whileHeld(() =>
      Promise.allSettled([
        dispatchTeam(amy, 'merchants.add', { ...ali, name: 'twin' }),
        dispatchTeam(bob, 'merchants.add', { ...ali, name: 'twin' }),
      ]),
    )
    const won = outcomes.filter((o) => o.status === 'fulfilled')
    const lost = outcomes.filter((o) => o.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost.map((o) => o.reason)).toEqual([
      expect.objectContaining({ code: 'conflict', id: 'merchant.exists', params: { name: 'twin' } }),
    ])
    expect((await pool.query("SELECT count(*)::int AS n FROM merchants WHERE name = 'twin'")).rows[0].n).toBe(
      1,
    )
    expect((await audits('twin')).map((a) => a.action)).toEqual(['merchant_added'])
  })

  it('an update planned from a row another desktop changed meanwhile is planned again from the new one', async () => {
    const twin = (await dispatchTeam(amy, 'merchants.list', {})).find((m) => m.name === 'twin')!
    const form = { ...formEdit(twin), qps: 5 }
    // Amy moves a trust anchor and types the secret again; Bob, from the form he opened before, changes
    // the rate only. Amy's transaction takes the row first; Bob's, planned from the row before hers,
    // finds it changed, plans again and is told the anchor moved: his old form does not undo hers.
    const [moved, kept] = await whileHeld(async () => {
      const first = dispatchTeam(amy, 'merchants.update', {
        id: twin.id,
        profile: { ...form, appId: '2021000000000777', appPrivateKey: ali.appPrivateKey },
      })
      await untilWaiting(1)
      const second = dispatchTeam(bob, 'merchants.update', { id: twin.id, profile: { ...form, qps: 6 } })
      return Promise.allSettled([first, second])
    })
    expect(moved).toMatchObject({ status: 'fulfilled', value: { settings: { appId: '2021000000000777' } } })
    expect(kept).toMatchObject({ status: 'rejected', reason: { id: 'merchant.anchorsChanged' } })
    const [view] = (await dispatchTeam(bob, 'merchants.list', {})).filter((m) => m.id === twin.id)
    expect(view!.settings).toMatchObject({ appId: '2021000000000777', qps: '5' })
    const changes = (await audits('twin')).filter((a) => a.action === 'merchant_changed')
    expect(changes.map((a) => a.operator)).toEqual(['amy'])
  })

  it('a desktop whose team key is locked is told how to give it, and writes nothing', async () => {
    const carol = await desk('carol', {})
    try {
      const { id } = (await dispatchTeam(carol, 'merchants.list', {})).find((m) => m.name === 'ali')!
      await expect(
        dispatchTeam(carol, 'merchants.add', { ...ali, name: 'locked-out' }),
      ).rejects.toMatchObject({
        code: 'secrets_locked',
        id: 'secrets.teamKeyNeeded',
      })
      const view = (await dispatchTeam(carol, 'merchants.list', {})).find((m) => m.id === id)!
      await expect(
        dispatchTeam(carol, 'merchants.update', { id, profile: { ...formEdit(view), qps: 9 } }),
      ).rejects.toMatchObject({ id: 'secrets.teamKeyNeeded' })
      expect(
        (await pool.query("SELECT count(*)::int AS n FROM merchants WHERE name = 'locked-out'")).rows[0].n,
      ).toBe(0)
      expect((await audits('locked-out')).length).toBe(0)
    } finally {
      await carol.close()
    }
  })

  it("a team window changes the team's passphrase: the old one opens nothing, on any desktop", async () => {
    const NEW = 'Next team pass, 2027!'
    const keyRows = async () => (await pool.query('SELECT scheme, wrapped FROM keyring ORDER BY scheme')).rows
    const before = await keyRows()
    await expect(dispatchTeam(amy, 'keys.setPassphrase', { passphrase: NEW })).rejects.toMatchObject({
      id: 'keys.passphraseSetAlready',
    })
    await expect(
      dispatchTeam(amy, 'keys.setPassphrase', { passphrase: NEW, current: 'not the team pass' }),
    ).rejects.toMatchObject({ id: 'secrets.wrongPassphrase' })
    await expect(
      dispatchTeam(amy, 'keys.setPassphrase', { passphrase: 'short', current: TEAM }),
    ).rejects.toMatchObject({ id: 'keys.teamTooShort' })
    expect(await keyRows()).toEqual(before)

    const info = await dispatchTeam(amy, 'keys.setPassphrase', { passphrase: NEW, current: TEAM })
    expect(info.schemes).toContain('passphrase')
    expect(JSON.stringify(info)).not.toContain(NEW)
    expect(await audits('keyring')).toEqual([
      expect.objectContaining({
        operator: 'amy',
        transport: 'http',
        action: 'team_passphrase_changed',
        detail: null,
      }),
    ])
    // A desktop that starts now: the old passphrase opens nothing, the new one opens every secret.
    const late = await desk('dan')
    const fresh = await desk('eve', { passphrase: NEW })
    try {
      await expect(fresh.desk.merchants.secretBox()).resolves.toBeDefined()
      await expect(late.desk.merchants.secretBox()).rejects.toMatchObject({ id: 'secrets.wrongPassphrase' })
      const { id } = (await dispatchTeam(fresh, 'merchants.list', {})).find((m) => m.name === 'ali')!
      expect(await dispatchTeam(fresh, 'merchants.test', { id })).toMatchObject({ ok: true })
      // Back, from another window that holds the new one: the books' other tests use the first.
      await dispatchTeam(fresh, 'keys.setPassphrase', { passphrase: TEAM, current: NEW })
      await expect(late.desk.merchants.unlockWith(TEAM)).resolves.toBeUndefined()
    } finally {
      await late.close()
      await fresh.close()
    }
  })
})
