import crypto from 'node:crypto'

// Parsing a PEM costs several times a signature check; keys are parsed once and kept.

const cache = new Map<string, crypto.KeyObject>()
const LIMIT = 512

function remember(pem: string, make: () => crypto.KeyObject): crypto.KeyObject {
  let key = cache.get(pem)
  if (!key) {
    if (cache.size >= LIMIT) cache.delete(cache.keys().next().value!)
    key = make()
    cache.set(pem, key)
  }
  return key
}

export function privateKeyOf(key: crypto.KeyLike): crypto.KeyLike {
  return typeof key === 'string' ? remember(key, () => crypto.createPrivateKey(key)) : key
}

export function publicKeyOf(key: crypto.KeyLike): crypto.KeyLike {
  return typeof key === 'string' ? remember(`pub:${key}`, () => crypto.createPublicKey(key)) : key
}

/**
 * RSA-SHA256, Base64, computed on libuv's thread pool: a 2048-bit signature costs about half a
 * millisecond, which on the main thread would cap a batch at a few hundred calls per second.
 */
export function signAsync(data: string, key: crypto.KeyLike): Promise<string> {
  return new Promise((resolve, reject) => {
    crypto.sign('RSA-SHA256', Buffer.from(data, 'utf8'), privateKeyOf(key), (err, sig) =>
      err ? reject(err) : resolve(sig.toString('base64')),
    )
  })
}

/**
 * RSA-SHA256 check of a Base64 signature, on libuv's thread pool like `signAsync`: what the main
 * thread keeps is handing the job over. False for a signature that does not verify, and for one
 * that is no signature at all (a wrong length, a malformed key), as the synchronous checks say.
 */
export function verifyAsync(data: string, signature: string, key: crypto.KeyLike): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      crypto.verify(
        'RSA-SHA256',
        Buffer.from(data, 'utf8'),
        publicKeyOf(key),
        Buffer.from(signature, 'base64'),
        (err, ok) => resolve(!err && ok),
      )
    } catch {
      resolve(false)
    }
  })
}
