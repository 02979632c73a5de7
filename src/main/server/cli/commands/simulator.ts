import type { Command } from 'commander'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../../shared/errors'
import { describeIssues } from '../../../../shared/validation'
import { check, given, numberOption, portOption } from '../flags'

interface SimOpts {
  host: string
  port: string
  scenario?: string
  writeMerchants?: string
  latencyMs?: string
  jitterMs?: string
  qps?: string
  faultRate?: string
  faults?: string
}

export function registerSimulatorCommand(program: Command): void {
  program
    .command('simulator')
    .description('run the gateway simulator (Alipay, WeChat Pay, DaxPay, UnionPay protocols) until stopped')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0: any free one)', '0')
    .option('--scenario <file>', 'merchants, orders and refunds to start with (JSON)')
    .option('--write-merchants <dir>', 'write one merchant profile file per simulated merchant')
    .option('--latency-ms <n>', 'added latency per request')
    .option('--jitter-ms <n>', 'random extra latency up to this')
    .option('--qps <n>', 'requests per second accepted; more are rate limited')
    .option('--fault-rate <x>', 'share of requests that get a fault (0 to 1)')
    .option(
      '--faults <list>',
      'comma-separated: system_error,rate_limit,timeout,reset,bad_signature,probe_signature,malformed,clock_skew',
    )
    .action(async (o: SimOpts) => {
      const [{ faultsSchema, scenarioSchema }, { startSimulator }] = await Promise.all([
        import('../../../gateways/simulator/control'),
        import('../../../gateways/simulator/server'),
      ])
      let scenario
      if (o.scenario) {
        let raw: unknown
        try {
          raw = JSON.parse(fs.readFileSync(o.scenario, 'utf8'))
        } catch (err) {
          throw new AppError(
            'unreadable_file',
            `cannot read the scenario ${o.scenario}: ${(err as Error).message}`,
          )
        }
        const parsed = scenarioSchema.safeParse(raw)
        if (!parsed.success)
          throw new AppError('invalid_input', `the scenario is not valid: ${describeIssues(parsed.error)}`)
        scenario = parsed.data
      } else {
        scenario = {
          merchants: [{ name: 'sim-alipay', channel: 'alipay' as const }],
          orders: [],
          refunds: [],
        }
      }
      const faults = check(
        faultsSchema,
        given({
          latencyMs: numberOption(o.latencyMs),
          jitterMs: numberOption(o.jitterMs),
          qps: numberOption(o.qps),
          faultRate: numberOption(o.faultRate),
          faults: o.faults
            ?.split(',')
            .map((f) => f.trim())
            .filter(Boolean),
        }),
        {
          latencyMs: '--latency-ms',
          jitterMs: '--jitter-ms',
          qps: '--qps',
          faultRate: '--fault-rate',
          faults: '--faults',
        },
      )
      const sim = await startSimulator({ host: o.host, port: portOption(o.port), scenario, faults })
      if (o.writeMerchants) {
        // Whole profiles, private keys included: readable by this user alone.
        fs.mkdirSync(o.writeMerchants, { recursive: true, mode: 0o700 })
        for (const p of sim.profiles()) {
          fs.writeFileSync(
            path.join(o.writeMerchants, `${String(p.name)}.json`),
            JSON.stringify(p, null, 2),
            { mode: 0o600 },
          )
        }
      }
      process.stdout.write(
        `${JSON.stringify({ url: sim.url, merchants: [...sim.state.merchants.values()].map((m) => ({ name: m.name, channel: m.channel, mode: m.mode })) })}\n`,
      )
      await new Promise<void>((resolve) => {
        const stop = () => resolve()
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      await sim.close()
    })
}
