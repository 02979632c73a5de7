import crypto from 'node:crypto'

// A self-signed X.509 certificate for the simulated WeChat Pay platform key, written in DER by hand:
// node:crypto reads certificates but cannot make one, and the simulator needs real ones to hand out
// from /v3/certificates. Only what a certificate must have: v3, serial, sha256WithRSA, names,
// validity, the public key.

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(body.length), body])
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts))
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts))
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'))

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const bytes = [parts[0]! * 40 + parts[1]!]
  for (const p of parts.slice(2)) {
    const chunk: number[] = []
    let v = p
    do {
      chunk.unshift(v & 0x7f)
      v >>= 7
    } while (v > 0)
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

function integer(hex: string): Buffer {
  let b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')
  // DER wants the shortest form: a random serial starting with 00 (1 in 256) made a certificate
  // OpenSSL refuses, and the client then had no key for the platform serial (a flaky fuzz baseline).
  while (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80)) b = b.subarray(1)
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b])
  return tlv(0x02, b)
}

function utcTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'
  return tlv(0x17, Buffer.from(s, 'ascii'))
}

function name(cn: string): Buffer {
  return seq(
    set(seq(oid('2.5.4.6'), tlv(0x13, Buffer.from('CN')))),
    set(seq(oid('2.5.4.10'), utf8('Tenpay.com'))),
    set(seq(oid('2.5.4.3'), utf8(cn))),
  )
}

const SHA256_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]))

export function selfSignedCertificate(opts: {
  serialHex: string
  commonName: string
  privateKeyPem: string
  notBefore: Date
  notAfter: Date
}): string {
  const spki = crypto.createPublicKey(opts.privateKeyPem).export({ type: 'spki', format: 'der' })
  const tbs = seq(
    tlv(0xa0, integer('02')),
    integer(opts.serialHex),
    SHA256_RSA,
    name(opts.commonName),
    seq(utcTime(opts.notBefore), utcTime(opts.notAfter)),
    name(opts.commonName),
    spki,
  )
  const signature = crypto.sign('RSA-SHA256', tbs, opts.privateKeyPem)
  const der = seq(tbs, SHA256_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])))
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`
}
