import type { ConnectionReport } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { joinProfile } from '../../shared/profiles'
import type { GatewayAdapter } from '../gateways/types'
import type { SecretBox } from '../store/keyring'
import { merchantById, readMerchantSecrets, recordMerchantHealthOn } from '../store/merchants'
import { both, type Exec } from '../store/sql/exec'
import { keyProblem } from './profile-key-check'

// A merchant's connection test (商户配置 → 测试连接, `paysync merchant test`): the gateway asked with the
// profile's own keys, its answer and its health kept on the merchant. Written once for the desktop's
// file and a team database (docs/team-mode.md B8.6), whose adapters open with the team key.

/** What the test needs of the books it runs on: the merchants' rows, adapters and key. */
export interface MerchantBooks {
  exec: Exec
  adapterFor(merchantId: number): Promise<GatewayAdapter>
  forgetAdapter(merchantId: number): void
  secretBox(): Promise<SecretBox>
  now(): number
}

const merchantAt = both(merchantById)

/** The catalog entry of an error, so the window can say it in its own language. */
function sentenceOf(err: unknown): Pick<ConnectionReport, 'message' | 'id' | 'params'> {
  const message = err instanceof Error ? err.message : String(err)
  return err instanceof AppError && err.id ? { message, id: err.id, params: err.params ?? {} } : { message }
}

/** Why a profile's key cannot sign, when that is why the gateway refused: the field to fix. */
async function keyReason(books: MerchantBooks, id: number): Promise<AppError | null> {
  try {
    const row = await merchantAt.async(books.exec, id)
    if (!row?.secrets) return null
    const { settings, secrets } = readMerchantSecrets(row, await books.secretBox())
    return keyProblem(joinProfile(row, settings, secrets))
  } catch {
    return null
  }
}

export async function testMerchantOn(books: MerchantBooks, id: number): Promise<ConnectionReport> {
  const row = await merchantAt.async(books.exec, id)
  if (!row || row.removed_at !== null) throw AppError.say('not_found', 'merchant.notFound', { id })
  books.forgetAdapter(id)
  let report: ConnectionReport
  let thrown: unknown = null
  try {
    const adapter = await books.adapterFor(id)
    report = await adapter.testConnection()
  } catch (err) {
    thrown = err
    // Nothing reached the gateway, so there is no latency to show (null, not 0).
    report = { ok: false, signatureValid: null, clockSkewMs: null, latencyMs: null, ...sentenceOf(err) }
  }
  // A key of a profile saved before keys were checked fails in OpenSSL's words, or as a signature the
  // gateway refuses: the sentence a save gives names the field to fix. Main's own refusals (disabled,
  // secrets locked) come first and already say what to do.
  if (!report.ok && !(thrown instanceof AppError)) {
    const reason = await keyReason(books, id)
    if (reason) report = { ...report, ...sentenceOf(reason) }
  }
  await recordMerchantHealthOn.async(
    books.exec,
    id,
    {
      ok: report.ok,
      error: report.ok ? null : report.message,
      errorCode: report.ok ? null : (report.code ?? null),
      clockSkewMs: report.clockSkewMs,
      latencyMs: report.latencyMs,
    },
    books.now(),
  )
  return report
}
