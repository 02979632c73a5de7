import crypto from 'node:crypto'
import { formatBeijingCompact } from '../../../shared/time'

/**
 * A repair number: sortable by time and unique without coordination, R + yyMMddHHmmss (Beijing) +
 * six random digits. A refund repair's two rows share one (docs/domain.md section 2).
 */
export function newRepairNo(now: number): string {
  const stamp = formatBeijingCompact(now).slice(2)
  return `R${stamp}${crypto.randomInt(0, 1_000_000).toString().padStart(6, '0')}`
}
