import crypto from 'node:crypto'
import { promisify } from 'node:util'

// Fresh keys and identifiers for simulated merchants.

const generateKeyPair = promisify(crypto.generateKeyPair)

/** A 2048-bit RSA pair as PEM: PKCS#8 private, SPKI public. */
export async function rsaPair(): Promise<{ privateKey: string; publicKey: string }> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  return { privateKey, publicKey }
}

/** `n` random decimal digits. */
export function digits(n: number): string {
  let s = ''
  while (s.length < n) s += crypto.randomInt(0, 10)
  return s
}
