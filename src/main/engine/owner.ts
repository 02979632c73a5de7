import os from 'node:os'

// Who holds a lease or runs a batch: `host:pid:random`. On this machine a dead owner can be told
// apart at once (its process is gone), so a batch left by a crash is resumable immediately rather
// than after its heartbeat goes stale.

export function ownerIsDeadHere(owner: string | null): boolean {
  if (!owner) return true
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
