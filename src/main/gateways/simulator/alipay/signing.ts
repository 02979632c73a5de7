import crypto from 'node:crypto'
import { responseNodeName, rsa2Sign } from '../../alipay/sign'
import { answerKey, cutOff, skewedDate } from '../faults'
import type { SimMerchant } from '../state'
import type { SimOptions, SimRequest, SimResponse } from '../types'
import { METHODS, type Method, type Node } from './replies'

// How the simulated Alipay answers: the node under its method's `*_response` name (`error_response`
// for a method it does not know), signed with the gateway's key when the merchant is known; the
// faults that spoil an answer (malformed, bad_signature, clock_skew) are rendered here.

/** The signed answers of one simulator: `options.now()` is its clock. */
export function alipaySigning(options: SimOptions) {
  function respond(
    req: SimRequest,
    method: string,
    node: Node,
    merchant: SimMerchant | undefined,
  ): SimResponse {
    const nodeName = METHODS.includes(method as Method) ? responseNodeName(method) : 'error_response'
    const nodeJson = JSON.stringify(node)
    const headers: Record<string, string> = {
      'content-type': 'text/html;charset=utf-8',
      trace_id: crypto.randomBytes(16).toString('hex'),
    }
    if (req.fault === 'malformed')
      return { status: 200, headers, body: cutOff(`{"${nodeName}":${nodeJson},"sign":"x"}`) }
    Object.assign(headers, skewedDate(req, options.now()))
    if (!merchant) return { status: 200, headers, body: `{"${nodeName}":${nodeJson}}` }
    const sign = rsa2Sign(nodeJson, answerKey(req, merchant))
    return { status: 200, headers, body: `{"${nodeName}":${nodeJson},"sign":"${sign}"}` }
  }

  return respond
}
