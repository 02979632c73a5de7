import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  extractSignedContent,
  notifySignContent,
  requestSignContent,
  rsa2Sign,
  rsa2Verify,
  responseNodeName,
  verifyResponse,
} from '../../src/main/gateways/alipay/sign'
import { VECTORS_DIR } from '../helpers/world'

// Known answers from the official Alipay SDK's test fixtures (tests/vectors), read at test time.

const vectors = JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, 'vectors.json'), 'utf8'))
const key = (file: string) => fs.readFileSync(path.join(VECTORS_DIR, file), 'utf8')

describe('Alipay known-answer vectors', () => {
  it('signs a request exactly as the SDK does (alipay_request_sign)', () => {
    const v = vectors.alipay_request_sign
    expect(requestSignContent(v.params)).toBe(v.expectedSignString)
    expect(rsa2Sign(v.expectedSignString, key(v.privateKey))).toBe(v.expectedSign)
    // What the simulator does with it: the app's public half verifies the signature, one changed byte does not.
    expect(rsa2Verify(v.expectedSignString, v.expectedSign, key('keys/alipay-app-public.pem'))).toBe(true)
    expect(rsa2Verify(v.expectedSignString + ' ', v.expectedSign, key('keys/alipay-app-public.pem'))).toBe(
      false,
    )
  })

  it('verifies a real gateway response over the raw node text (alipay_response_verify)', () => {
    const v = vectors.alipay_response_verify
    const node = responseNodeName(v.method)
    expect(extractSignedContent(v.rawBody, node)).toBe(v.expectedSignedContent)
    const sign = JSON.parse(v.rawBody).sign
    expect(verifyResponse(v.rawBody, node, sign, key(v.publicKey))).toBe(v.expectedValid)
  })

  it('refuses the same response once one byte of it changes', () => {
    const v = vectors.alipay_response_verify
    const node = responseNodeName(v.method)
    const sign = JSON.parse(v.rawBody).sign
    const tampered = v.rawBody.replace('CAxAToWB1Js', 'CAxAToWB1Jt')
    expect(verifyResponse(tampered, node, sign, key(v.publicKey))).toBe(false)
  })

  it('verifies an async notification without sign_type, and not with it (alipay_notify_verify)', () => {
    const v = vectors.alipay_notify_verify
    const pub = key(v.publicKey)
    expect(rsa2Verify(notifySignContent(v.params), v.params.sign, pub)).toBe(v.expectedValidWithoutSignType)
    expect(rsa2Verify(requestSignContent(v.params), v.params.sign, pub)).toBe(v.expectedValidWithSignType)
  })
})

describe('signed-content extraction', () => {
  it('ignores braces and a nested "sign" inside strings, and surrounding whitespace', () => {
    const body =
      '{ "alipay_trade_query_response" : {"code":"10000","msg":"a } b { \\" c","sign":"inner"} , "sign":"outer"}'
    expect(extractSignedContent(body, 'alipay_trade_query_response')).toBe(
      '{"code":"10000","msg":"a } b { \\" c","sign":"inner"}',
    )
  })

  it('returns null for a body that is cut off', () => {
    expect(
      extractSignedContent('{"alipay_trade_query_response":{"code":"100', 'alipay_trade_query_response'),
    ).toBeNull()
    expect(extractSignedContent('{"other":{}}', 'alipay_trade_query_response')).toBeNull()
  })
})
