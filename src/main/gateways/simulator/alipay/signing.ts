import crypto from 'node:crypto'
import { responseNodeName, rsa2Sign } from '../../alipay/sign'
import { signAsync } from '../../signing'
import { answerKey, cutOff, skewedDate } from '../faults'
import type { SimMerchant } from '../state'
import type { SimOptions, SimRequest, SimResponse } from '../types'
import { METHODS, type Method, type Node } from './replies'

// How the simulated Alipay answers: the node under its method's `*_response` name (`error_response`
// for a method it does not know), signed with the gateway's key when the merchant is known; the
// faults that spoil an answer (malformed, bad_signature, clock_skew) are rendered here.

/** An answer ready to send, or one still to be signed over `nodeJson` with `key`. */
type Framed =
  { done: SimResponse } | { headers: Record<string, string>; nodeName: string; nodeJson: string; key: string }

/** The signed answers of one simulator: `options.now()` is its clock. */
export function alipaySigning(options: SimOptions) {
  function frame(req: SimRequest, method: string, node: Node, merchant: SimMerchant | undefined): Framed {
    const nodeName = METHODS.includes(method as Method) ? responseNodeName(method) : 'error_response'
    const nodeJson = JSON.stringify(node)
    const headers: Record<string, string> = {
      'content-type': 'text/html;charset=utf-8',
      trace_id: crypto.randomBytes(16).toString('hex'),
    }
    if (req.fault === 'malformed')
      return {
        done: { status: 200, headers, body: cutOff(`{"${nodeName}":${nodeJson},"sign":"x"}`) },
      }
    Object.assign(headers, skewedDate(req, options.now()))
    if (!merchant) return { done: { status: 200, headers, body: `{"${nodeName}":${nodeJson}}` } }
    return { headers, nodeName, nodeJson, key: answerKey(req, merchant) }
  }

  function signed(f: Exclude<Framed, { done: SimResponse }>, sign: string): SimResponse {
    return { status: 200, headers: f.headers, body: `{"${f.nodeName}":${f.nodeJson},"sign":"${sign}"}` }
  }

  function respond(
    req: SimRequest,
    method: string,
    node: Node,
    merchant: SimMerchant | undefined,
  ): SimResponse {
    const f = frame(req, method, node, merchant)
    return 'done' in f ? f.done : signed(f, rsa2Sign(f.nodeJson, f.key))
  }

  /**
   * The same answer, signed on libuv's thread pool: the simulator's one thread keeps reading and
   * answering other calls meanwhile, as a gateway's many servers would, instead of adding each
   * signature to the latency of the calls behind it (RSA signatures are deterministic: the bytes are
   * the same).
   */
  async function respondAsync(
    req: SimRequest,
    method: string,
    node: Node,
    merchant: SimMerchant | undefined,
  ): Promise<SimResponse> {
    const f = frame(req, method, node, merchant)
    return 'done' in f ? f.done : signed(f, await signAsync(f.nodeJson, f.key))
  }

  return { respond, respondAsync }
}
