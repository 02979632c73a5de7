import type { Channel, PayGatewayStatus, PayKind, RefundGatewayStatus } from '../../shared/domain'
import type { CallSlots, RateGate } from './rate-gate'

// What an adapter gives the engine: exactly one normalised answer per call (docs/domain.md section 3).
// Anything the adapter cannot read as a verified business answer is `sync_error`; an adapter never
// throws for a gateway's behaviour, only for a programming error.

export interface CallContext {
  /** Every HTTP request of the call waits for this gate: the merchant's QPS budget. */
  gate?: RateGate
  /** Calls in flight at the gateway for this merchant: its concurrency budget. */
  slots?: CallSlots
  /**
   * Asked once, when the first request of a sync has its turn at the gate: true means the caller no
   * longer wants the answer (its batch was cancelled or paused while this call queued), and the call
   * ends with CallAbandonedError without anything sent. Cleared once a request has gone out, so a sync
   * that has asked the gateway always runs to its end and is recorded.
   */
  stop?: () => boolean
  /**
   * Time the sync's requests spent waiting for a call slot and their turn at the gate, added up: our
   * own queue, which the sync record's duration leaves out so that it says how long the gateway took.
   */
  waited?: { ms: number }
}

/** A call given up before anything was sent: not an attempt, so nothing is recorded. */
export class CallAbandonedError extends Error {
  constructor() {
    super('given up before anything was sent')
    this.name = 'CallAbandonedError'
  }
}

export interface PayTradeRef {
  orderNo: string
  bizOrderNo: string
  gatewayTradeNo: string | null
  amount: number
  kind: PayKind
  createdAt: number
  paidAt: number | null
}

export interface RefundTradeRef {
  refundNo: string
  bizRefundNo: string
  gatewayRefundNo: string | null
  orderNo: string
  gatewayTradeNo: string | null
  amount: number
  createdAt: number
}

export interface AnswerBase {
  /** The gateway's own word: `TRADE_SUCCESS`, `40004 ACQ.TRADE_NOT_EXIST`, `HTTP 500 SYSTEM_ERROR`. */
  rawStatus: string | null
  /** The response text exactly as received; null when nothing was received. */
  rawText: string | null
  errorCode: string | null
  errorMsg: string | null
  /** HTTP requests made, retries included. */
  attempts: number
  /** Server time from the HTTP Date header, for the clock-skew figure. */
  serverTime: number | null
  /** The last request's round trip; null when no answer came back (refused, timed out, no DNS). */
  latencyMs: number | null
  /**
   * The texts of the further calls made to complete this answer (DaxPay's bound order query, the
   * query confirming a close), each exactly as received, in the order made; the record keeps them.
   */
  followUps?: string[]
}

export interface PayAnswer extends AnswerBase {
  status: Exclude<PayGatewayStatus, 'pay_timeout'>
  /** Fen, from a verified answer. */
  amount: number | null
  gatewayTradeNo: string | null
  paidAt: number | null
  /** Payscore orders: `DOING` + `MCH_COMPLETE` is what payscore_sync_gateway repairs. */
  payscore?: { state: string; stateDescription: string | null }
}

export interface RefundAnswer extends AnswerBase {
  status: RefundGatewayStatus
  amount: number | null
  gatewayRefundNo: string | null
  finishedAt: number | null
}

export interface CloseAnswer extends AnswerBase {
  /**
   * `closed` and `not_found` close the order here, so they are given only on a verified answer bound
   * to our order (docs/domain.md section 4, note 2); `not_closable`: the order is no longer open (paid
   * or failed meanwhile): query again.
   */
  result: 'closed' | 'not_found' | 'not_closable' | 'error'
}

export interface PayscoreSyncAnswer extends AnswerBase {
  result: 'done' | 'retry_later' | 'error'
}

export interface ConnectionTest {
  ok: boolean
  /** true: the answer's signature verified; false: it did not; null: no signed answer came. */
  signatureValid: boolean | null
  clockSkewMs: number | null
  latencyMs: number | null
  message: string
  /** Why no verified answer came (timeout, refused, HTTP_404, bad_signature...): the window says it. */
  code?: string
  /** The gateway's own codes in a verified answer, for the window to show beside its own words. */
  reply?: string
}

export interface GatewayAdapter {
  readonly channel: Channel
  queryPay(trade: PayTradeRef, ctx?: CallContext): Promise<PayAnswer>
  closePay(trade: PayTradeRef, ctx?: CallContext): Promise<CloseAnswer>
  queryRefund(refund: RefundTradeRef, ctx?: CallContext): Promise<RefundAnswer>
  /** Payscore orders paid offline: tell the gateway (docs/protocols.md section 14). */
  syncPayscorePaid?(trade: PayTradeRef, paidAt: number, ctx?: CallContext): Promise<PayscoreSyncAnswer>
  testConnection(ctx?: CallContext): Promise<ConnectionTest>
  /**
   * Downloads one day's trade bill into `dest` (a path the caller chose; written 0600, streamed,
   * size-capped). A channel without bills (DaxPay) has none (docs/reconcile.md A1.4).
   */
  downloadStatement?(req: StatementRequest, call: CallContext): Promise<StatementDownload>
}

export interface StatementRequest {
  /** YYYY-MM-DD, Beijing: a day that has ended (today and later are refused before any call). */
  billDate: string
  /**
   * Where the bill goes. It is written beside it under a private temporary name and renamed into
   * place once whole, so `dest` holds a complete file or nothing (an older file there is replaced).
   */
  dest: string
}

/**
 * What a download gave (docs/reconcile.md A1): the file, or why there is none. `dest` holds the bill
 * as the channel hands it to a person in its portal: Alipay's zip, WeChat's file (gzipped when it
 * came so), UnionPay's zip (decoded from the answer's `fileContent`), so a download and an upload are
 * read alike (`readStatement(fileSource(dest, fileName), { expectedSha1 })`).
 */
export type StatementDownload =
  | {
      status: 'ok'
      /** The channel's own name for the file: `{PID}_{yyyyMMdd}.csv.zip`, `{merId}_{yyyyMMdd}.zip`... */
      fileName: string
      bytes: number
      /** Of the bytes written to `dest`. */
      sha256: string
      /** The file came on the strength of a verified signed answer (the link, the hash or the content). */
      verified: boolean
      /** WeChat's `hash_value` (SHA-1 of the uncompressed bill): the parser checks it. */
      expectedSha1: string | null
      /**
       * The signed apply answer exactly as received. UnionPay's answer carries the file itself: its
       * `fileContent` is replaced by a note of its length, the file being in `dest`.
       */
      rawAnswer: string
    }
  | {
      status: 'not_ready' | 'empty' | 'failed'
      code: string
      msg: string
      /** Worth asking again later (not ready yet, a transport failure, 429, 5xx). */
      retryable: boolean
      rawAnswer: string | null
    }
