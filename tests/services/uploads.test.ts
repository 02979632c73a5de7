import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import { tempDir } from '../helpers/world'

// What browser mode may upload (docs/reconcile.md A4.1): the import's order lists and the bills a
// statement is reconciled from, a UnionPay ZM file under the extension-less name the gateway gives it.
// Anything else is refused before a byte is written, with the same sentence as before.

let dir: string
let ctx: ServiceContext

beforeAll(() => {
  dir = tempDir()
  ctx = new ServiceContext({ dbFile: path.join(dir, 'paysync.db'), transport: 'http' })
})
afterAll(async () => {
  await ctx.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const upload = (name: string, content = 'x') =>
  dispatch(ctx, 'files.upload', { name, contentBase64: Buffer.from(content).toString('base64') })

describe('files.upload takes the bill types', () => {
  it.each([
    '20261201_2088.zip',
    'tradebill.csv.gz',
    'bill.txt',
    'orders.xlsx',
    'INN26120188ZM_898000000000001',
    'INN26120188ZME_898000000000001',
  ])('takes %s and keeps it under its own name', async (name) => {
    const up = await upload(name, 'bill bytes')
    expect(up.name).toBe(name)
    expect(up.file).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const kept = path.join(ctx.filesDir('uploads'), up.file, name)
    expect(fs.readFileSync(kept, 'utf8')).toBe('bill bytes')
  })

  it.each(['apiclient_key.pem', 'run.exe', 'INN26120188ZM_', 'INN2612018ZM_898000000000001', 'README'])(
    'refuses %s and writes nothing',
    async (name) => {
      const before = fs.readdirSync(ctx.filesDir('uploads')).length
      await expect(upload(name)).rejects.toMatchObject({ id: 'upload.type' })
      expect(fs.readdirSync(ctx.filesDir('uploads')).length).toBe(before)
    },
  )

  it('still refuses an empty bill', async () => {
    await expect(upload('INN26120188ZM_898000000000001', '')).rejects.toMatchObject({ id: 'upload.empty' })
  })
})
