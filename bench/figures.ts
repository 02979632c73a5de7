// A figure of `npm run bench`: a value, the limit it is measured against, and the goal on their ratio.
import fs from 'node:fs'

export interface Figure {
  name: string
  value: number
  unit: string
  limit: number | null
  ratio: number | null
  goal: string | null
  goalMet: boolean | null
}

export function figure(
  name: string,
  value: number,
  unit: string,
  limit: number | null,
  goal: { atLeast?: number; atMost?: number } | null,
): Figure {
  const ratio = limit ? round(value / limit, 3) : null
  let goalText: string | null = null
  let met: boolean | null = null
  if (goal && ratio !== null) {
    if (goal.atLeast !== undefined) {
      goalText = `ratio >= ${goal.atLeast}`
      met = ratio >= goal.atLeast
    } else if (goal.atMost !== undefined) {
      goalText = `ratio <= ${goal.atMost}`
      met = ratio <= goal.atMost
    }
  } else if (goal?.atMost !== undefined && limit === null) {
    // A count with no limit to divide by, such as calls refused for a rate limit: the goal is on the value.
    goalText = `value <= ${goal.atMost}`
    met = value <= goal.atMost
  }

  return { name, value: round(value, 3), unit, limit, ratio, goal: goalText, goalMet: met }
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export function p95(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!
}

export function describe(f: Figure): string {
  const limit = f.limit === null ? '' : `  limit ${f.limit} ${f.unit}, ratio ${f.ratio}`
  const goal = f.goal === null ? '' : `  goal ${f.goal}: ${f.goalMet ? 'met' : 'NOT MET'}`
  return `${f.name}: ${f.value} ${f.unit}${limit}${goal}`
}

/**
 * CPU time the hypervisor gave to other guests while this machine wanted it ("steal" in /proc/stat),
 * in core-seconds, so a reader can tell a slow figure from a busy host. Null where there is no /proc.
 */
/**
 * The machine's CPU time in use so far, all cores (user, nice, system, interrupts; not idle, I/O
 * wait or steal), in seconds: a figure beside which a throughput says whether the cores ran out.
 */
export function busySeconds(): number | null {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)
    const ticksPerSecond = 100
    return [1, 2, 3, 6, 7].reduce((sum, i) => sum + Number(cpu[i]), 0) / ticksPerSecond
  } catch {
    return null
  }
}

export function stealSeconds(): number | null {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)
    const ticksPerSecond = 100
    return Number(cpu[8]) / ticksPerSecond
  } catch {
    return null
  }
}
