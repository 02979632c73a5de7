import { AppError } from '../../shared/errors'
import type { MerchantProfile } from '../../shared/profiles'
import { gatewayOf } from '../gateways/channels'
import type { KeyField } from '../gateways/key-fields'

// The keys a profile carries, read the way its channel's adapter reads them in its constructor (the
// channel registry's keyFields, with the adapter's own readers), so that a key the adapter could not
// use is refused on save with a sentence naming the field, instead of OpenSSL's words ("DECODER
// routines::unsupported") at the first call.

function usable(f: KeyField): boolean {
  // OpenSSL derives a public key from a private one without complaint; in a public-key field it can
  // never verify the gateway's answers, and public settings are stored and shown in the clear.
  if (f.kind === 'public' && /PRIVATE KEY/.test(f.text)) return false
  try {
    const key = f.read(f.text)
    // Every channel here signs and verifies RSA-SHA256: an EC or DSA key would parse, then fail at
    // the gateway with a signature error that names no field.
    return key.asymmetricKeyType === 'rsa' && key.type === f.kind
  } catch {
    return false
  }
}

/** The first key of the profile its adapter could not use, as the error that names it; null when all are usable. */
export function keyProblem(p: MerchantProfile): AppError | null {
  for (const f of gatewayOf(p.channel).keyFields(p)) {
    if (!usable(f))
      return AppError.say('invalid_input', f.id, {
        field: f.field,
        // The sentence names the field by the form's label, in the reader's language.
        keyFields: f.field,
        ...(f.serial !== undefined ? { serial: f.serial } : {}),
      })
  }
  return null
}

export function checkProfileKeys(p: MerchantProfile): void {
  const problem = keyProblem(p)
  if (problem) throw problem
}
