import os from 'node:os'

// Who holds a lease or runs a batch: `host:pid:random`. On this machine a dead owner can be told
// apart at once (its process is gone), so a batch left by a crash is resumable immediately rather
// than after its heartbeat goes stale. An engine of this process that was closed is as gone as a dead
// process: it will write nothing more (what it kept waits in the journal, written by whoever opens the
// books next), so what it left (a lease whose answer the connection lost, a claim, a lead) is taken at
// once rather than after its expiry.

/** Owners of this process whose engine was closed. */
const closedHere = new Set<string>()

/** The engine named `owner` was closed: nothing of it runs any more. */
export function ownerClosed(owner: string): void {
  closedHere.add(owner)
}

export function ownerIsDeadHere(owner: string | null): boolean {
  if (!owner) return true
  if (closedHere.has(owner)) return true
  const [host, pidText] = owner.split(':')
  if (host !== os.hostname()) return false
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Whether `owner` is a process of this machine that still runs (this one included): one that may
 * still hold an attempt's answer in hand, whatever its lease says.
 */
export function ownerIsAliveHere(owner: string): boolean {
  const [host, pidText] = owner.split(':')
  const pid = Number(pidText)
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false
  return !ownerIsDeadHere(owner)
}
