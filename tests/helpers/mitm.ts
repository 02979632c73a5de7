import http from 'node:http'
import type { AddressInfo } from 'node:net'

// A loopback man-in-the-middle between an adapter and the simulator, as the security review placed
// one (issue 13, finding M1): it passes every request on and keeps what came back, until a test tells
// it to answer a request itself, with an answer it kept, or to keep an answer and never deliver it.

export interface Reply {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** A request as the intermediary sees it. */
export interface Seen {
  method: string
  path: string
  body: string
}

/** What the intermediary does with a request: answer it itself, withhold the real answer, or pass. */
export type Rule = (req: Seen) => Reply | 'withhold' | null

export interface Mitm {
  url: string
  /** Every request passed on, with the answer the gateway gave (withheld ones too), in order. */
  log: Array<Seen & { reply: Reply }>
  /** From now on; null passes everything again. */
  rule(r: Rule | null): void
  /** The answer the gateway gave to the last passed request the test matches. */
  last(match: (req: Seen) => boolean): Reply
  close(): Promise<void>
}

const HOP = ['content-length', 'transfer-encoding', 'connection', 'keep-alive']

export async function startMitm(target: string): Promise<Mitm> {
  let rule: Rule | null = null
  const log: Mitm['log'] = []
  const forward = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<Reply>((resolve, reject) => {
      const headers = { ...req.headers, host: new URL(target).host }
      const up = http.request(`${target}${req.url}`, { method: req.method, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const h: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined && !HOP.includes(k)) h[k] = Array.isArray(v) ? v.join(', ') : v
          resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) })
        })
      })
      up.on('error', reject)
      up.end(body)
    })
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const seen: Seen = { method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString('utf8') }
      const decided = rule?.(seen) ?? null
      const send = (r: Reply) => {
        res.writeHead(r.status, { ...r.headers, 'content-length': r.body.length })
        res.end(r.body)
      }
      if (decided && decided !== 'withhold') return send(decided)
      forward(req, body).then(
        (reply) => {
          log.push({ ...seen, reply })
          // Kept, and the client told the gateway failed: it never sees this answer.
          if (decided === 'withhold')
            send({ status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Bad Gateway') })
          else send(reply)
        },
        () => res.destroy(),
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    rule: (r) => (rule = r),
    last(match) {
      const found = log.filter(match).at(-1)
      if (!found) throw new Error('the intermediary saw no such request')
      return found.reply
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
