import { ServiceContext } from '../src/main/services/context'
import { createBatchOf, runBatch } from '../src/main/services/sync'
import { seedBatchOrders } from './batch-seed'
import { figure, stealSeconds, type Figure } from './figures'
import { startSimChild, writeScenario } from './sim-child'
import { mainThreadCpuMs, processCpuMs } from './thread-cpu'
import path from 'node:path'

// Issue 4 / issue 6: a 10,000-order batch against the simulator at 20 ms latency, concurrency 16 and
// a 400 QPS cap. The limit is what those allow: min(C / L, Q) orders per second.

export async function batchThroughput(
  dir: string,
  n = 10_000,
  latencyMs = 20,
  concurrency = 16,
  qps = 400,
): Promise<Figure[]> {
  const sim = await startSimChild(writeScenario(dir, [{ name: 'bench-ali', channel: 'alipay' }]))
  const ctx = new ServiceContext({ dbFile: path.join(dir, 'batch.db'), transport: 'cli' })
  try {
    const ids = await seedBatchOrders(ctx, sim, n, 'BENCH')
    await sim.post('/_sim/faults', { latencyMs, jitterMs: 0, qps, faultRate: 0, faults: [] })
    const batchId = createBatchOf(ctx, ids, { name: 'bench', concurrency, qps })
    const simCpu = () => processCpuMs(sim.proc.pid)
    const cpu0 = process.cpuUsage()
    // The main thread's share apart from the whole process's (signing and checking run on libuv's
    // pool): a main thread near one core is what holds a batch under its limit.
    const main0 = mainThreadCpuMs()
    const elu0 = performance.eventLoopUtilization()
    const steal0 = stealSeconds()
    const sim0 = simCpu()
    const started = performance.now()
    const final = await runBatch(ctx, batchId)
    const seconds = (performance.now() - started) / 1000
    const clientCpu = process.cpuUsage(cpu0)
    const main1 = mainThreadCpuMs()
    const elu = performance.eventLoopUtilization(elu0)
    const steal1 = stealSeconds()
    const stats = (await sim.get('/_sim/stats')) as {
      maxConcurrent: number
      rateLimited: number
      meanServiceMs: number
      requests: Record<string, number>
    }

    const limit = Math.min(concurrency / (latencyMs / 1000), qps)
    const rate = final.done / seconds
    return [
      figure(
        `batch throughput (${n} orders, L=${latencyMs} ms, C=${concurrency}, Q=${qps})`,
        rate,
        'orders/s',
        limit,
        { atLeast: 0.95 },
      ),
      figure(
        'batch: most calls in flight at the gateway (simulator stats)',
        stats.maxConcurrent,
        'calls',
        concurrency,
        { atMost: 1 },
      ),
      figure(
        'batch: calls refused for going over the QPS limit (simulator stats)',
        stats.rateLimited,
        'calls',
        null,
        { atMost: 0 },
      ),

      figure('batch: errors', final.counts.error, 'orders', null, null),
      figure(
        'batch: time at the gateway per call, arrival to answer (simulator)',
        stats.meanServiceMs,
        'ms',
        latencyMs,
        null,
      ),
      figure(
        'batch: CPU of this process (share of one core)',
        (clientCpu.user + clientCpu.system) / 1e6 / seconds,
        'cores',
        null,
        null,
      ),
      ...(main0 !== null && main1 !== null
        ? [
            figure(
              'batch: CPU of its main thread (share of one core)',
              (main1 - main0) / 1000 / seconds,
              'cores',
              null,
              null,
            ),
            figure('batch: CPU of its main thread per order', (main1 - main0) / final.done, 'ms', null, null),
          ]
        : []),
      figure('batch: event loop utilisation of this process', elu.utilization, '', null, null),
      figure(
        'batch: CPU of the simulator process (share of one core)',
        (simCpu() - sim0) / 1000 / seconds,
        'cores',
        null,
        null,
      ),
      ...(steal0 !== null && steal1 !== null
        ? [
            figure(
              "batch: CPU the host gave other guests meanwhile (steal; this machine's noise)",
              (steal1 - steal0) / seconds,
              'cores',
              null,
              null,
            ),
          ]
        : []),
    ]
  } finally {
    await ctx.close()
    await sim.stop()
  }
}
