import type { TestProject } from 'vitest/node'
import { startCluster, whyNoCluster } from './pg-cluster'

// The `postgres` project's global setup (vitest.config.ts): the server named by PAYSYNC_PG_URL, else a
// throwaway cluster for this run, stopped at its end, on failure too. With neither, the suites say why
// and skip; in CI (CI=true) they may not: the run fails here instead.

declare module 'vitest' {
  export interface ProvidedContext {
    /** The superuser's address of the test server; empty when there is none. */
    pgUrl: string
    /** Why there is none, for the skip message. */
    pgWhyNot: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  let url = process.env.PAYSYNC_PG_URL ?? ''
  let whyNot = ''
  let stop = () => {}
  if (!url) {
    const missing = whyNoCluster()
    if (missing) whyNot = missing
    else {
      try {
        const cluster = await startCluster()
        url = cluster.url
        let stopped = false
        stop = () => {
          if (stopped) return
          stopped = true
          cluster.stop()
        }
        // A run stopped by a signal skips teardown; the cluster is not left behind by it either.
        process.once('exit', stop)
      } catch (err) {
        whyNot = `the throwaway PostgreSQL did not start: ${(err as Error).message}`
      }
    }
  }
  if (!url && process.env.CI === 'true')
    throw new Error(`CI runs the PostgreSQL suites, and there is no server: ${whyNot}`)
  project.provide('pgUrl', url)
  project.provide('pgWhyNot', whyNot)
  return stop
}
