import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import type { RetryPolicy } from '../../src/main/gateways/http'
import { createAdapter } from '../../src/main/gateways/registry'
import { upsertOrders } from '../../src/main/gateways/simulator/control'
import { rsaPair } from '../../src/main/gateways/simulator/identities'
import { startSimulator } from '../../src/main/gateways/simulator/server'
import type { StatementDownload } from '../../src/main/gateways/types'
import { profileSchema } from '../../src/shared/profiles'
import { formatBeijing } from '../../src/shared/time'
import { guarded, mutate, startProxy, type Reply } from './gateway-fuzz'
import { rng } from './prng'

// The gateway fuzzer's bill half (issue 12, item 3): the signed answers of the bill applications
// (Alipay's link, WeChat's hash and link, UnionPay's file itself) damaged as the answer fuzzer damages
// the query answers: bytes flipped, cut, fields retyped, another merchant's or another day's signed
// answer replayed, the status or the signature headers changed, answers past the size cap. Each
// merchant has a twin signed with the same gateway key, so another merchant's answer verifies and
// only what it names can refuse it. For every damaged answer the adapter must come back, and give
// - a failure with a code and a message, the file not written (nothing at the destination, no
//   temporary file left beside it),
// - or exactly the undamaged reading (the same file, byte for byte, the same hash to check),
// - or, for a replayed answer that names neither merchant nor day (Alipay's and WeChat's "no bill"),
//   the reading of the answer replayed: nothing in it can tell.

const POLICY: RetryPolicy = { timeoutMs: 10_000, retries: 0, backoffMs: 1, maxBackoffMs: 1 }
const DAY_MS = 86_400_000

interface BillScenario {
  name: string
  merchant: string
  date: string
  baseline: StatementDownload['status']
}

export interface BillFuzzReport {
  cases: number
  errors: number
  sameAsBaseline: number
  unbindable: number
  byHow: Record<string, number>
}

/** What a download says, without the parts that differ between two asks of the same bill. */
function meaning(d: StatementDownload): string {
  if (d.status === 'ok') return JSON.stringify([d.status, d.fileName, d.sha256, d.expectedSha1, d.bytes])
  return JSON.stringify([d.status, d.code, d.retryable])
}

export async function runBillFuzz(options: { seed: number; cases: number }): Promise<BillFuzzReport> {
  const start = Date.now()
  const day = (n: number) => formatBeijing(start - n * DAY_MS).slice(0, 10)
  const [D, EMPTY] = [day(3), day(5)]
  // The simulator's clock stands still, so its 30 s links outlive the run.
  const shared = await Promise.all([rsaPair(), rsaPair(), rsaPair()])
  const keys = (i: number) => ({
    gatewayPrivateKey: shared[i]!.privateKey,
    gatewayPublicKey: shared[i]!.publicKey,
  })
  const publicKeyId = `PUB_KEY_ID_01${'7'.repeat(30)}`
  const sim = await startSimulator({
    now: () => start,
    scenario: {
      merchants: [
        { name: 'bf-ali', channel: 'alipay', keys: keys(0) },
        { name: 'bf-ali2', channel: 'alipay', keys: keys(0) },
        { name: 'bf-wx', channel: 'wechat', keys: keys(1), ids: { publicKeyId } },
        { name: 'bf-wx2', channel: 'wechat', keys: keys(1), ids: { publicKeyId } },
        { name: 'bf-up', channel: 'unionpay', keys: keys(2) },
        { name: 'bf-up2', channel: 'unionpay', keys: keys(2) },
      ],
    },
  })
  const proxy = await startProxy(sim)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-bill-fuzz-'))
  try {
    const paid = (merchant: string, orderNo: string, state: string) => ({
      merchant,
      orderNo,
      amount: 1234,
      state,
      paidAt: `${D} 12:00:00`,
    })
    upsertOrders(sim.state, [
      paid('bf-ali', 'BFA1', 'TRADE_SUCCESS'),
      paid('bf-ali2', 'BFA2', 'TRADE_SUCCESS'),
      paid('bf-wx', 'BFW1', 'SUCCESS'),
      paid('bf-wx2', 'BFW2', 'SUCCESS'),
      paid('bf-up', 'BFU10001', '00'),
      paid('bf-up2', 'BFU10002', '00'),
    ])
    const scenarios: BillScenario[] = []
    for (const m of ['bf-ali', 'bf-ali2', 'bf-wx', 'bf-wx2', 'bf-up', 'bf-up2'])
      scenarios.push(
        { name: `${m} ${D}`, merchant: m, date: D, baseline: 'ok' },
        { name: `${m} ${EMPTY}`, merchant: m, date: EMPTY, baseline: 'empty' },
      )
    const profiles = new Map(
      sim.profiles().map((p) => {
        const profile = profileSchema.parse({
          ...p,
          endpoint: String(p.endpoint).replace(sim.url, proxy.url),
        })
        return [profile.name, profile] as const
      }),
    )
    let n = 0
    const ask = async (s: BillScenario) => {
      const dest = path.join(dir, `bill-${++n}`)
      const d = await createAdapter(profiles.get(s.merchant)!, POLICY).downloadStatement!(
        { billDate: s.date, dest },
        {},
      )
      return { d, dest }
    }
    // The undamaged answers: the bill application's (the download goes to the simulator itself).
    proxy.serve(null)
    const captured = new Map<string, { reply: Reply; meaning: string }>()
    for (const s of scenarios) {
      proxy.takeCaptured()
      const { d } = await ask(s)
      expect(d.status, `${s.name}: ${JSON.stringify(d)}`).toBe(s.baseline)
      captured.set(s.name, { reply: proxy.takeCaptured().replies[0]!, meaning: meaning(d) })
    }
    const channelOf = (s: BillScenario) => profiles.get(s.merchant)!.channel
    const report: BillFuzzReport = { cases: 0, errors: 0, sameAsBaseline: 0, unbindable: 0, byHow: {} }
    const r = rng(options.seed)
    for (let i = 0; i < options.cases; i++) {
      const s = r.pick(scenarios)
      const base = captured.get(s.name)!
      const peers = scenarios.filter((o) => o !== s && channelOf(o) === channelOf(s))
      const { how, reply } = mutate(
        r,
        base.reply,
        channelOf(s),
        peers.map((o) => captured.get(o.name)!.reply),
        false,
      )
      report.cases += 1
      report.byHow[how] = (report.byHow[how] ?? 0) + 1
      const where = `seed ${options.seed} case ${i}: ${s.name}, ${how}`
      proxy.serve(reply)
      let result: Awaited<ReturnType<typeof ask>>
      try {
        result = await guarded(where, () => ask(s))
      } finally {
        proxy.serve(null)
      }
      const { d, dest } = result
      const temps = fs.readdirSync(dir).filter((f) => f.startsWith('.'))
      expect(temps, `${where}: temporary files left`).toEqual([])
      if (d.status === 'failed') {
        report.errors += 1
        expect(d.code.trim(), `${where}: code`).not.toBe('')
        expect(d.msg.trim(), `${where}: message`).not.toBe('')
        expect(fs.existsSync(dest), `${where}: a file written for a failure`).toBe(false)
        continue
      }
      if (meaning(d) === base.meaning) {
        report.sameAsBaseline += 1
        continue
      }
      // A replayed answer that names neither the day nor the merchant cannot be told from a fresh one by
      // an adapter that has not seen it: WeChat's (hash and link, or "no bill") and Alipay's (a link
      // names its day, checked, and the twin's PID, which the profile has none to compare with). The
      // signed time (WeChat: 300 s) and the link's 30 s bound the replay; the parser's checks of the
      // file (hash, account, the day's own lines) are the evidence. UnionPay names both: refused.
      const replayed = peers.find((o) => captured.get(o.name)!.reply.body.equals(reply.body))
      expect(
        replayed !== undefined && channelOf(s) !== 'unionpay',
        `${where}: read as ${JSON.stringify(d)}`,
      ).toBe(true)
      report.unbindable += 1
    }
    return report
  } finally {
    await proxy.close()
    await sim.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
