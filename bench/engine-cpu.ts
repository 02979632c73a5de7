import crypto from 'node:crypto'
import path from 'node:path'
import { requestSignContent, responseNodeName, verifyResponse } from '../src/main/gateways/alipay/sign'
import { ServiceContext } from '../src/main/services/context'
import { addMerchant } from '../src/main/services/merchants'
import { insertPayOrder } from '../src/main/store/orders'
import { figure, type Figure } from './figures'
import { startSimChild, writeScenario } from './sim-child'
import { mainThreadCpuMs } from './thread-cpu'

// CPU time the engine spends per sync (HTTP, parsing, the decision, leases and the SQLite writes,
// signing and verifying included), against the CPU time of that cryptography alone. The simulator
// runs in another process so that its own signing is not counted.

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

export async function engineCpu(dir: string, n = 2_000): Promise<Figure[]> {
  const sim = await startSimChild(writeScenario(dir, [{ name: 'cpu-ali', channel: 'alipay' }]))
  const ctx = new ServiceContext({ dbFile: path.join(dir, 'cpu.db'), transport: 'cli' })
  try {
    const profile = sim.profiles()[0] as Record<string, string>
    const merchant = await addMerchant(ctx, profile)
    const now = Date.now()
    const ids: number[] = []
    const gateway: Array<{ merchant: string; orderNo: string; amount: number; state: string }> = []
    ctx.db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const orderNo = `CPU${String(i).padStart(8, '0')}`
        ids.push(
          insertPayOrder(ctx.db, {
            orderNo,
            bizOrderNo: orderNo,
            gatewayTradeNo: null,
            merchantId: merchant.id,
            channel: 'alipay',
            kind: 'pay',
            title: '',
            amount: 100,
            status: 'success',
            createdAt: now,
            expiredAt: null,
            paidAt: now,
            importId: null,
          }),
        )
        gateway.push({ merchant: 'cpu-ali', orderNo, amount: 100, state: 'TRADE_SUCCESS' })
      }
    })()
    await sim.post('/_sim/orders', gateway)
    // Warm up: JIT, connection pool, prepared statements.
    for (const id of ids.slice(0, 100)) await ctx.engine.syncPay(id, { source: 'batch' })
    const queue = ids.slice(100)
    const measured = queue.length
    const start = cpuMs()
    const main0 = mainThreadCpuMs()
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift())
          await ctx.engine.syncPay(id, { source: 'batch' })
      }),
    )
    const enginePerSync = (cpuMs() - start) / measured
    const main1 = mainThreadCpuMs()

    // The same cryptography alone: one RSA2 request signature and one response verification per sync.
    const key = crypto.createPrivateKey(profile.appPrivateKey!)
    const content = requestSignContent({
      app_id: profile.appId,
      method: 'alipay.trade.query',
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: '2026-11-20 10:00:00',
      version: '1.0',
      biz_content: '{"out_trade_no":"CPU00000001"}',
    })
    const last = (await ctx.engine.syncPay(ids[0]!, { source: 'batch' })).recordId
    const body = (
      ctx.db.prepare('SELECT sync_info FROM sync_record_bodies WHERE record_id = ?').get(last) as {
        sync_info: string
      }
    ).sync_info
    const sign = (JSON.parse(body) as { sign: string }).sign
    const publicKey = profile.alipayPublicKey!
    const node = responseNodeName('alipay.trade.query')
    for (let i = 0; i < 50; i++) verifyResponse(body, node, sign, publicKey)
    const c0 = cpuMs()
    for (let i = 0; i < measured; i++) {
      crypto.sign('RSA-SHA256', Buffer.from(content, 'utf8'), key)
      verifyResponse(body, node, sign, publicKey)
    }
    const cryptoPerSync = (cpuMs() - c0) / measured
    return [
      figure('engine CPU per sync vs its cryptography alone', enginePerSync, 'ms CPU', cryptoPerSync, {
        atMost: 1.5,
      }),
      // What of it the main thread spent, the rest being the thread pool's signing and checking:
      // the share that bounds a batch.
      ...(main0 !== null && main1 !== null
        ? [figure('engine CPU per sync on the main thread', (main1 - main0) / measured, 'ms CPU', null, null)]
        : []),
    ]
  } finally {
    await ctx.close()
    await sim.stop()
  }
}
