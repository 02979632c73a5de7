import type { z } from 'zod'

/** One readable sentence from a validation failure: which field, what is wrong. */
export function describeIssues(error: Pick<z.ZodError, 'issues'>): string {
  return error.issues
    .slice(0, 8)
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : 'input'
      // zod's words for a field left out, or a number that is none, read like a stack trace.
      if (i.code === 'invalid_type' && /received undefined$/.test(i.message)) return `${where} is missing`
      if (i.code === 'invalid_type' && /received NaN$/.test(i.message)) return `${where} is not a number`
      return `${where}: ${i.message}`
    })
    .join('; ')
}
