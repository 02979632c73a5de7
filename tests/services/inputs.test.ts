import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { listMerchantViews } from '../../src/main/services/merchants'
import { getMerchant } from '../../src/main/store/merchants'
import { BATCH_LIMITS, batchStartSchema, importRunSchema } from '../../src/shared/inputs'
import { profileSchema, profileUpdateSchema, SECRET_FIELDS } from '../../src/shared/profiles'
import { createWorld, type World } from '../helpers/world'

// The contract's inputs where they used to be loose (profiles, column mappings) or written twice
// (batch pace): what each schema takes, and how a refusal reads whichever transport brought it.

let w: World
beforeAll(async () => {
  w = await createWorld({
    merchants: [
      { name: 'ali', channel: 'alipay' },
      { name: 'wx', channel: 'wechat' },
      { name: 'dax', channel: 'daxpay' },
      { name: 'union', channel: 'unionpay' },
    ],
  })
})
afterAll(async () => {
  await w.close()
})

const profileOf = (channel: string) => w.sim.profiles().find((p) => p.channel === channel)!

describe('a profile saved again (merchants.update)', () => {
  it('may leave out, empty or null each secret of its channel, and only those', () => {
    for (const [channel, secrets] of Object.entries(SECRET_FIELDS)) {
      const whole = profileOf(channel)
      expect(profileUpdateSchema.safeParse(whole).success, channel).toBe(true)
      for (const secret of secrets) {
        const { [secret]: _left, ...without } = whole
        expect(profileUpdateSchema.safeParse(without).success, `${channel} without ${secret}`).toBe(true)
        for (const kept of ['', null])
          expect(profileUpdateSchema.safeParse({ ...whole, [secret]: kept }).success).toBe(true)
      }
      for (const required of ['name', 'endpoint']) {
        const { [required]: _left, ...without } = whole
        expect(profileUpdateSchema.safeParse(without).success, `${channel} without ${required}`).toBe(false)
      }
    }
    // A profile added whole has every required secret.
    const { signSecret: _secret, ...dax } = profileOf('daxpay')
    expect(profileSchema.safeParse(dax).success).toBe(false)
  })

  it('through the contract keeps the stored secrets the form did not send', async () => {
    const view = listMerchantViews(w.ctx).find((m) => m.name === 'ali')!
    const sealed = getMerchant(w.ctx.db, view.id)!.secrets
    const saved = await dispatch(w.ctx, 'merchants.update', {
      id: view.id,
      profile: { name: 'ali', channel: 'alipay', endpoint: view.endpoint, ...view.settings, qps: 7 },
    })
    expect(saved.settings.qps).toBe('7')
    expect(saved.secrets).toMatchObject({ appPrivateKey: true })
    expect((await w.ctx.secretBox()).open(getMerchant(w.ctx.db, view.id)!.secrets!)).toEqual(
      (await w.ctx.secretBox()).open(sealed!),
    )
  })

  it('refused says it is the profile, from inside the profile', async () => {
    const refused = dispatch(w.ctx, 'merchants.update', {
      id: 1,
      profile: { ...profileOf('alipay'), appId: 'APP' },
    })
    await expect(refused).rejects.toMatchObject({ code: 'invalid_input', id: 'merchant.invalid' })
    await expect(refused).rejects.toThrow(/^the merchant profile is not valid: appId: /)
    // Not the profile at fault: the input's own sentence.
    await expect(
      dispatch(w.ctx, 'merchants.update', { id: 0, profile: profileOf('alipay') }),
    ).rejects.toMatchObject({ id: 'input.invalid' })
  })
})

describe('a merchant added (merchants.add)', () => {
  it('takes the profile schema, and a refusal names the profile', async () => {
    await expect(dispatch(w.ctx, 'merchants.add', { name: 'half', channel: 'alipay' })).rejects.toMatchObject(
      {
        id: 'merchant.invalid',
      },
    )
    await expect(
      dispatch(w.ctx, 'merchants.add', { ...profileOf('daxpay'), name: 'dax-2' }),
    ).resolves.toMatchObject({ name: 'dax-2', channel: 'daxpay', secrets: { signSecret: true } })
  })
})

describe('a column mapping (imports.preview, imports.run)', () => {
  it('is typed by the contract; a refusal names the mapping only when the mapping is at fault', async () => {
    const file = path.join(w.dir, 'mapped.csv')
    fs.writeFileSync(file, 'SO,Total\nMAP-1,1.00\n')
    const bad = { columns: { SO: 'orderNo', Total: 'totalYuan' } }
    await expect(dispatch(w.ctx, 'imports.run', { file, merchant: 'ali', mapping: bad })).rejects.toThrow(
      /^the column mapping is not valid: columns\.Total: /,
    )
    await expect(
      dispatch(w.ctx, 'imports.run', { file: '', merchant: 'ali', mapping: bad }),
    ).rejects.toMatchObject({ id: 'input.invalid' })
    const s = await dispatch(w.ctx, 'imports.run', {
      // The file as the window hands it over: the handle main keeps for the path chosen.
      file: w.ctx.handles.namedToRead(file).file,
      merchant: 'ali',
      mapping: { columns: { SO: 'orderNo', Total: 'amountYuan' } },
    })
    expect(s.inserted).toBe(1)
  })
})

describe('how fast a batch may go', () => {
  it('is one pair of limits for the window and the command line', () => {
    const [cMin, cMax] = BATCH_LIMITS.concurrency
    const [qMin, qMax] = BATCH_LIMITS.qps
    const run = (concurrency: number, qps: number) =>
      importRunSchema.safeParse({ file: 'f.csv', sync: { concurrency, qps } }).success
    const start = (concurrency: number, qps: number) =>
      batchStartSchema.safeParse({ pending: true, concurrency, qps }).success
    for (const ok of [run, start]) {
      expect(ok(cMin, qMin) && ok(cMax, qMax)).toBe(true)
      expect(ok(cMin - 1, qMin) || ok(cMax + 1, qMin) || ok(cMin, qMin / 2) || ok(cMin, qMax + 1)).toBe(false)
    }
  })
})

describe('dispatch', () => {
  it('knows the operations of the contract, not what every object inherits', async () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty'])
      await expect(dispatch(w.ctx, name as 'app.info', {})).rejects.toMatchObject({ code: 'not_found' })
  })

  it('reports the version package.json gives', async () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }
    expect((await dispatch(w.ctx, 'app.info', {})).version).toBe(pkg.version)
  })
})
