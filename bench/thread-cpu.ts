import fs from 'node:fs'

// The CPU time of each thread of this process, from Linux's /proc: on a shared machine the wall clock
// says how long the other tenants made a run wait, while the busiest thread's CPU time says how long
// the run would take with a core of its own per thread. Threads that end are kept at their last sample.

/**
 * Samples every `everyMs` until stopped; `stop` gives the CPU time in ms each thread spent since the
 * start (the process's start-up is not the work measured), busiest first.
 */
export function sampleThreads(everyMs = 20): { stop(): number[] } | null {
  const dir = '/proc/self/task'
  if (!fs.existsSync(dir)) return null
  // utime and stime are counted in clock ticks, 100 a second on Linux.
  const TICK_MS = 10
  const seen = new Map<string, number>()
  const start = new Map<string, number>()
  const sample = () => {
    for (const tid of fs.readdirSync(dir)) {
      try {
        const stat = fs.readFileSync(`${dir}/${tid}/stat`, 'utf8')
        // Fields after the command name, which is in parentheses and may hold spaces.
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        seen.set(tid, (Number(f[11]) + Number(f[12])) * TICK_MS)
      } catch {
        // The thread ended between the listing and the read: its last sample stands.
      }
    }
  }
  sample()
  for (const [tid, ms] of seen) start.set(tid, ms)
  const timer = setInterval(sample, everyMs)
  return {
    stop() {
      clearInterval(timer)
      sample()
      return [...seen].map(([tid, ms]) => ms - (start.get(tid) ?? 0)).sort((a, b) => b - a)
    },
  }
}

/** CPU time of this process's main thread so far in ms (Linux), or null: the thread pool's is not in it. */
export function mainThreadCpuMs(): number | null {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return null
  }
}

/** CPU time of process `pid` so far in ms, all its threads (Linux), or NaN where /proc has none. */
export function processCpuMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return NaN
  }
}

function statFields(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** The parent of process `pid` (Linux), or null. */
export function parentPid(pid: number): number | null {
  const f = statFields(pid)
  return f ? Number(f[1]) : null
}

/**
 * CPU time in ms of process `pid` and of its children, live or ended (Linux), or NaN: a database
 * server's, whose backends come and go with their connections. An ended child counts once its parent
 * has waited for it, which PostgreSQL's postmaster does at once.
 */
export function processTreeCpuMs(pid: number): number {
  const own = statFields(pid)
  if (!own) return NaN
  // utime, stime, then the waited-for children's cutime and cstime.
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const f = statFields(Number(entry))
    if (f && Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12])
  }
  return ticks * 10
}
