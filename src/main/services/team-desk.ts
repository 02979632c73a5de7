import path from 'node:path'
import type { Actor, Transport } from '../../shared/domain'
import { settingsOf, type Settings } from '../../shared/settings'
import type { Recovery } from '../engine/sync'
import { TeamSyncEngine } from '../engine/sync/team-engine'
import { ownerClosed } from '../engine/owner'
import { pgCoordination } from '../store/coordination/pg'
import { channelOf } from '../store/coordination/pg-messages'
import type { Coordination } from '../store/coordination/types'
import { teamJournalFileFor } from '../store/journal'
import { pgErrorInWords } from '../store/pg/check'
import { userDataDir } from '../store/paths'
import { readSettingsOn } from '../store/settings'
import { pgExec } from '../store/sql/pg-exec'
import { systemUser } from './context'
import { TeamMerchants, type TeamKeys } from './team-merchants'
import { TeamReads } from './team-reads'

// A team database worked from this computer (docs/team-mode.md B8.9): its books read (TeamReads),
// its merchants' adapters opened with the team key (TeamMerchants), and the sync engine writing
// there, each attempt one PostgreSQL transaction. What the database refuses waits in this
// computer's journal of it, written at the next opening; after each commit the other desktops are
// told, so their windows follow (LISTEN store_changed).

/**
 * Connections for the engine: an attempt holds one for each of its two transactions (the lease, the
 * write), a pass runs up to twice its calls at once per merchant, and a server's default allows 100.
 */
const ENGINE_POOL = 16

/** Commits told at most this often: a batch commits many attempts a second, a window reads once. */
const TELL_EVERY_MS = 250

export interface TeamDeskOptions {
  keys: TeamKeys
  actor: Actor
  /** Where this computer keeps its journal of the team database (the data folder). */
  dataDir?: string
  /** For tests: the engine's clock and lease. */
  leaseMs?: number
  writeRetryMs?: number
}

export class TeamDesk {
  readonly engine: TeamSyncEngine
  readonly merchants: TeamMerchants
  /** This computer's data folder: its journal of the team database, the bill files it reconciled. */
  readonly dataDir: string
  private telling: NodeJS.Timeout | null = null
  private joined: Coordination | null = null

  private constructor(
    readonly reads: TeamReads,
    readonly actor: Actor,
    options: TeamDeskOptions,
  ) {
    this.dataDir = options.dataDir ?? userDataDir()
    this.merchants = new TeamMerchants(pgExec(reads.pool), options.keys)
    this.engine = new TeamSyncEngine(reads.pool, (id, seen) => this.merchants.adapterFor(id, seen), {
      journalFile: teamJournalFileFor(this.dataDir, reads.target),
      leaseMs: options.leaseMs,
      writeRetryMs: options.writeRetryMs,
      committed: () => this.changed(),
    })
  }

  /**
   * The team database as a process of this computer opens it: the team key from PAYSYNC_PASSPHRASE or
   * PAYSYNC_KEY_FILE, the operator from PAYSYNC_OPERATOR, else the computer's user (B8.7, B8.9). The
   * window asks for the passphrase when neither is set (keys.unlock).
   */
  static openHere(address: string, transport: Exclude<Transport, 'schedule'>): Promise<TeamDesk> {
    const user = systemUser()
    const keyFile = process.env.PAYSYNC_KEY_FILE
    return TeamDesk.open(address, {
      keys: {
        passphrase: process.env.PAYSYNC_PASSPHRASE || undefined,
        keyFile: keyFile ? path.resolve(keyFile) : undefined,
      },
      actor: { operator: process.env.PAYSYNC_OPERATOR || user, systemUser: user, transport },
    })
  }

  /** Opens the team database (its schema brought up to date), then writes what this computer kept. */
  static async open(address: string, options: TeamDeskOptions): Promise<TeamDesk> {
    const reads = await TeamReads.open(address, ENGINE_POOL)
    const desk = new TeamDesk(reads, options.actor, options)
    try {
      await desk.writeKept()
    } catch (err) {
      await desk.close()
      throw pgErrorInWords(err, reads.target)
    }
    return desk
  }

  /**
   * Writes the attempts this computer kept for the team database (its journal) and shows the side
   * effects nobody recorded. What still cannot be written waits, said once on stderr: a batch does
   * not run meanwhile (runTeamBatch), or it would ask the gateway again about trades whose answers
   * wait here.
   */
  async writeKept(): Promise<Recovery> {
    const r = await this.engine.recover()
    if (r.written)
      console.error(`paysync: wrote ${r.written} gateway answer(s) the team database had refused`)
    if (r.waiting)
      console.error(
        `paysync: ${r.waiting} gateway answer(s) still wait to be written to the team database ` +
          `(${r.fault ?? 'unknown'}); they are kept on this computer and written once it takes them`,
      )
    return r
  }

  /** The team's settings (设置), as the desktops that share them stored them. */
  async settings(): Promise<Settings> {
    return settingsOf(await readSettingsOn.async(this.reads.exec))
  }

  /** Working with the other desktops (docs/team-mode.md B8.5), opened on first use. */
  coordination(): Coordination {
    this.joined ??= pgCoordination(this.reads.target)
    return this.joined
  }

  /** Something was committed here: the other desktops are told, a few commits at a time. */
  changed(): void {
    this.telling ??= setTimeout(() => void this.toldNow(), TELL_EVERY_MS)
  }

  private async toldNow(): Promise<void> {
    this.telling = null
    // Best effort: a message is never the only news of a change (docs/team-mode.md B8.5).
    await this.reads.pool
      .query('SELECT pg_notify($1, $2)', [channelOf('store_changed'), '{}'])
      .catch(() => undefined)
  }

  async close(): Promise<void> {
    if (this.telling) {
      clearTimeout(this.telling)
      await this.toldNow()
    }
    await this.joined?.close()
    await this.reads.close()
    ownerClosed(this.engine.owner)
  }
}
