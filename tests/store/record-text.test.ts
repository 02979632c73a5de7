import crypto from 'node:crypto'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type Db } from '../../src/main/store/connection'
import { getSyncRecord, insertSyncRecord, KEPT_TEXT_BYTES, keptText } from '../../src/main/store/records'
import { tempDir } from '../helpers/world'
import { bareMerchant } from '../helpers/bare-merchant'

// A sync record keeps at most the beginning of a gateway's text, with the whole text's size and
// SHA-256 (docs/domain.md 6.1; issue 13, finding M4: a 300 MB answer once wrote a 300 MB record).

let db: Db
beforeAll(() => {
  db = openStore(path.join(tempDir(), 'texts.db'))
  bareMerchant(db, 'm', 'daxpay')
})
afterAll(() => db.close())

function insert(syncInfo: string | null, actionInfo: string | null = null): number {
  return insertSyncRecord(db, {
    tradeType: 'pay',
    tradeId: 1,
    tradeNo: 'T1',
    bizTradeNo: 'T1',
    gatewayTradeNo: null,
    channel: 'daxpay',
    merchantId: 1,
    gatewayStatus: 'sync_error',
    gatewayRawStatus: null,
    outcome: 'error',
    repairNo: null,
    anomalyId: null,
    errorCode: 'x',
    errorMsg: 'x',
    clientIp: null,
    operator: null,
    source: 'manual',
    batchId: null,
    durationMs: 1,
    createdAt: Date.now(),
    syncInfo,
    actionInfo,
  })
}

const sha = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex')

describe('the gateway text a record keeps', () => {
  it('a text up to the limit is kept whole, with nothing said about a cut', () => {
    const text = `{"a":"${'x'.repeat(KEPT_TEXT_BYTES - 8)}"}`
    expect(Buffer.byteLength(text)).toBe(KEPT_TEXT_BYTES)
    const r = getSyncRecord(db, insert(text, '{}'))!
    expect(r.sync_info).toBe(text)
    expect([r.sync_info_bytes, r.sync_info_sha256, r.action_info_bytes]).toEqual([null, null, null])
  })

  it('a longer text keeps its first 64 KB, cut on a whole character, with its size and SHA-256', () => {
    // Three-byte characters, so that the limit falls inside one.
    const text = `前${'同步'.repeat(400_000)}`
    const whole = Buffer.byteLength(text)
    const r = getSyncRecord(db, insert(text, text))!
    expect(Buffer.byteLength(r.sync_info!)).toBeLessThanOrEqual(KEPT_TEXT_BYTES)
    expect(Buffer.byteLength(r.sync_info!)).toBeGreaterThan(KEPT_TEXT_BYTES - 3)
    expect(text.startsWith(r.sync_info!)).toBe(true)
    expect(r.sync_info).not.toContain('\uFFFD')
    expect([r.sync_info_bytes, r.sync_info_sha256]).toEqual([whole, sha(text)])
    expect([r.action_info_bytes, r.action_info_sha256]).toEqual([whole, sha(text)])
    expect(r.action_info).toBe(r.sync_info)
  })

  it('the cut never splits a four-byte character', () => {
    for (const pad of [0, 1, 2, 3]) {
      const text = 'a'.repeat(pad) + '😀'.repeat(KEPT_TEXT_BYTES)
      const kept = keptText(text)
      expect(kept.text!.endsWith('😀') || kept.text === 'a'.repeat(pad)).toBe(true)
      expect(text.startsWith(kept.text!)).toBe(true)
      expect(kept.cut).toEqual({ bytes: Buffer.byteLength(text), sha256: sha(text) })
    }
  })

  it('nothing received is kept as nothing', () => {
    expect(keptText(null)).toEqual({ text: null, cut: null })
    expect(getSyncRecord(db, insert(null))!.sync_info).toBeNull()
  })
})
