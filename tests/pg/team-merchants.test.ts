import path from 'node:path'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/main/services/db-copy'
import { removeMerchantProfile, setMerchantEnabled, testMerchant } from '../../src/main/services/merchants'
import { testMerchantOn } from '../../src/main/services/merchant-test'
import { TeamMerchants, type TeamKeys } from '../../src/main/services/team-merchants'
import { addKeyFile } from '../../src/main/store/keyring'
import { getMerchant, readMerchantSecrets } from '../../src/main/store/merchants'
import { openPgPool, pgTarget } from '../../src/main/store/pg/connect'
import type { Exec } from '../../src/main/store/sql/exec'
import { pgExec } from '../../src/main/store/sql/pg-exec'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { payRef } from '../helpers/trade-refs'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// A merchant's gateway adapter read from a team database (docs/team-mode.md B8.7): books whose
// secrets are sealed under the team passphrase (and a team key file) are copied in with
// `paysync db copy`, and TeamMerchants opens them there with the passphrase or the key file, with
// the desktop's refusals and sentences; an older profile's blob is sealed again on the team database.

const TEAM = 'Team-Pass for 2026!'

describe.skipIf(pgMissing())('merchant adapters from a team database', () => {
  let w: World
  let pool: pg.Pool
  let keyFile: string
  const team = (keys: TeamKeys) => new TeamMerchants(pgExec(pool), keys, FAST_RETRY)
  /** The merchants' rows as the team database holds them. */
  const teamRow = async (id: number) =>
    (
      await pool.query<{ secrets: Buffer; settings: string }>(
        'SELECT secrets, settings FROM merchants WHERE id = $1',
        [id],
      )
    ).rows[0]!

  beforeAll(async () => {
    w = await createWorld({
      merchants: [
        { name: 'ali', channel: 'alipay' },
        { name: 'off', channel: 'alipay' },
        { name: 'gone', channel: 'alipay' },
        { name: 'old', channel: 'alipay' },
      ],
      context: { passphrase: TEAM },
    })
    const box = await w.ctx.secretBox()
    keyFile = path.join(w.dir, 'team.key')
    await addKeyFile(w.ctx.db, box, keyFile)
    await setMerchantEnabled(w.ctx, w.merchantId('off'), false)
    await removeMerchantProfile(w.ctx, w.merchantId('gone'))
    // Sealed as before binding (migration 6 keeps its anchors beside it): main binds it when it opens it.
    const old = getMerchant(w.ctx.db, w.merchantId('old'))!
    const { secrets } = readMerchantSecrets(old, box)
    w.ctx.db.prepare('UPDATE merchants SET secrets = ? WHERE id = ?').run(box.seal(secrets), old.id)

    const url = await freshDatabase()
    expect((await copyDatabase(w.dbFile, url)).outcome).toBe('copied')
    pool = openPgPool(pgTarget(url), 2)
  })

  afterAll(async () => {
    await pool?.end()
    await w?.close()
  })

  it('opens with the team passphrase: the adapter asks the gateway, made once', async () => {
    w.gatewayOrder({ merchant: 'ali', orderNo: 'TEAM-1', amount: 1000, state: 'TRADE_SUCCESS' })
    const merchants = team({ passphrase: TEAM })
    const adapter = await merchants.adapterFor(w.merchantId('ali'))
    const answer = await adapter.queryPay(payRef('TEAM-1'))
    expect(answer).toMatchObject({ status: 'pay_success', errorCode: null })
    expect(await merchants.adapterFor(w.merchantId('ali'))).toBe(adapter)
    expect(await merchants.secretBox()).toBe(await merchants.secretBox())
  })

  it('opens with the team key file alone', async () => {
    w.gatewayOrder({ merchant: 'ali', orderNo: 'TEAM-2', amount: 1000, state: 'WAIT_BUYER_PAY' })
    const adapter = await team({ keyFile }).adapterFor(w.merchantId('ali'))
    expect((await adapter.queryPay(payRef('TEAM-2'))).status).toBe('pay_progress')
  })

  it('says a wrong passphrase, and no passphrase, each in one sentence', async () => {
    const wrong = team({ passphrase: 'not the team one' })
    await expect(wrong.adapterFor(w.merchantId('ali'))).rejects.toMatchObject({
      code: 'secrets_locked',
      id: 'secrets.wrongPassphrase',
    })
    await expect(team({}).adapterFor(w.merchantId('ali'))).rejects.toMatchObject({
      code: 'secrets_locked',
      id: 'secrets.teamKeyNeeded',
      message: expect.stringContaining('PAYSYNC_PASSPHRASE or PAYSYNC_KEY_FILE'),
    })
    const missingFile = team({ keyFile: path.join(w.dir, 'no-such.key') })
    await expect(missingFile.adapterFor(w.merchantId('ali'))).rejects.toMatchObject({
      id: 'secrets.locked',
      message: expect.stringContaining('is missing'),
    })
  })

  it('keeps its adapter when the profile cannot be read again: a fault says nothing of the profile', async () => {
    let down = false
    const x = pgExec(pool)
    const cut: Exec = {
      ...x,
      all: (sql, params, how) =>
        down ? Promise.reject(new Error('connection lost')) : x.all(sql, params, how),
    }
    const merchants = new TeamMerchants(cut, { passphrase: TEAM }, FAST_RETRY)
    const adapter = await merchants.adapterFor(w.merchantId('ali'))
    down = true
    expect(await merchants.adapterFor(w.merchantId('ali'))).toBe(adapter)
    // With none kept, the profile itself cannot be read: refused as before.
    merchants.forgetAdapter(w.merchantId('ali'))
    await expect(merchants.adapterFor(w.merchantId('ali'))).rejects.toThrow('connection lost')
  })

  it('refuses a disabled, a removed and an unknown merchant as the desktop does', async () => {
    const merchants = team({ passphrase: TEAM })
    await expect(merchants.adapterFor(w.merchantId('off'))).rejects.toMatchObject({
      code: 'config',
      id: 'merchant.disabled',
      params: { name: 'off' },
    })
    await expect(merchants.adapterFor(w.merchantId('gone'))).rejects.toMatchObject({
      code: 'config',
      id: 'merchant.noProfile',
    })
    await expect(merchants.adapterFor(9_999)).rejects.toMatchObject({
      code: 'config',
      id: 'merchant.noProfile',
    })
    // Before any unlocking: no passphrase, the same refusal.
    await expect(team({}).adapterFor(w.merchantId('off'))).rejects.toMatchObject({ id: 'merchant.disabled' })
  })

  it('tests a connection as the desktop does: the same report, its health kept on the team database', async () => {
    const books = (keys: TeamKeys) => {
      const merchants = team(keys)
      return {
        exec: pgExec(pool),
        adapterFor: (m: number) => merchants.adapterFor(m),
        forgetAdapter: (m: number) => merchants.forgetAdapter(m),
        secretBox: () => merchants.secretBox(),
        now: () => 1_800_000_000_000,
      }
    }
    const id = w.merchantId('ali')
    const onFile = await testMerchant(w.ctx, id)
    const onTeam = await testMerchantOn(books({ passphrase: TEAM }), id)
    expect(onTeam).toMatchObject({ ok: true, signatureValid: true })
    expect({ ...onTeam, latencyMs: 0, clockSkewMs: 0 }).toEqual({ ...onFile, latencyMs: 0, clockSkewMs: 0 })
    const health = async () =>
      (
        await pool.query(
          'SELECT last_ok_at::text AS ok, last_error, last_latency_ms IS NOT NULL AS timed FROM merchants WHERE id = $1',
          [id],
        )
      ).rows[0]
    expect(await health()).toEqual({ ok: '1800000000000', last_error: null, timed: true })
    // Without the team key: the sentence that says how to give it, nothing asked, kept as the last error.
    const locked = await testMerchantOn(books({}), id)
    expect(locked).toMatchObject({ ok: false, latencyMs: null, id: 'secrets.teamKeyNeeded' })
    expect((await health()).last_error).toContain('PAYSYNC_PASSPHRASE')
    // A removed or unknown merchant is not tested at all.
    await expect(testMerchantOn(books({ passphrase: TEAM }), w.merchantId('gone'))).rejects.toMatchObject({
      id: 'merchant.notFound',
    })
  })

  it('seals an older blob with its anchors on the team database, once, as the file does', async () => {
    const id = w.merchantId('old')
    expect((await teamRow(id)).secrets[0]).toBe(1)
    w.gatewayOrder({ merchant: 'old', orderNo: 'TEAM-3', amount: 1000, state: 'TRADE_SUCCESS' })
    const adapter = await team({ passphrase: TEAM }).adapterFor(id)
    expect((await adapter.queryPay(payRef('TEAM-3'))).status).toBe('pay_success')
    const sealed = (await teamRow(id)).secrets
    expect(sealed[0]).toBe(2)
    const box = await team({ passphrase: TEAM }).secretBox()
    expect(box.openBound(sealed).anchor).not.toBeNull()
    // Opened again, it is not stale: nothing is written.
    await team({ passphrase: TEAM }).adapterFor(id)
    expect((await teamRow(id)).secrets.equals(sealed)).toBe(true)
    // The desktop's file is the desktop's: its row is as it was.
    expect(getMerchant(w.ctx.db, id)!.secrets![0]).toBe(1)
  })
})
