import type { z } from 'zod'

/** One readable sentence from a validation failure: which field, what is wrong. */
export function describeIssues(error: Pick<z.ZodError, 'issues'>): string {
  return error.issues
    .slice(0, 8)
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : 'input'
      return `${where}: ${i.message}`
    })
    .join('; ')
}
