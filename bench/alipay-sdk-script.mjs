// The script a user might write instead of running paysync: the official Alipay SDK, each order asked
// with alipay.trade.query and its answer's signature checked, `pool` at once. No records, no repairs,
// no leases. bench/side-by-side.ts runs it against paysync on the same simulator and orders.
//   node bench/alipay-sdk-script.mjs <profile.json> <orders.json> <pool>
import fs from 'node:fs'
import { AlipaySdk } from 'alipay-sdk'

const [profileFile, ordersFile, poolArg] = process.argv.slice(2)
const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8'))
const orders = JSON.parse(fs.readFileSync(ordersFile, 'utf8'))
const sdk = new AlipaySdk({
  appId: profile.appId,
  privateKey: profile.appPrivateKey,
  alipayPublicKey: profile.alipayPublicKey,
  gateway: profile.endpoint,
  keyType: 'PKCS8',
})

const statuses = {}
let next = 0
async function worker() {
  while (next < orders.length) {
    const orderNo = orders[next++]
    const r = await sdk.exec(
      'alipay.trade.query',
      { bizContent: { out_trade_no: orderNo } },
      { validateSign: true },
    )
    const status = r.tradeStatus ?? r.subCode ?? r.code
    statuses[status] = (statuses[status] ?? 0) + 1
  }
}
await Promise.all(Array.from({ length: Number(poolArg) }, worker))
process.stdout.write(`${JSON.stringify(statuses)}\n`)
