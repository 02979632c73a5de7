import type { TradeType } from '../../../shared/domain'

// What desktops sharing one store need to work together (docs/team-mode.md B8.5), behind one small
// asynchronous interface with a form per store: a lease per trade, batch items claimed a few at a
// time with an expiry, one leader per job (the nightly passes run once per team), and messages to the
// other desktops. On SQLite the desktops are processes of one computer; on PostgreSQL they are
// computers whose clocks differ, so every time that decides who holds what is the database's.

export type Dialect = 'sqlite' | 'postgres'

/** A batch item taken by one desktop, until it finishes it, lets it go or the claim expires. */
export interface ClaimedItem {
  id: number
  batchId: number
  tradeType: TradeType
  tradeId: number
  attempts: number
  /** A deferred item is not to be tried again before this (epoch ms), as today's runner reads it. */
  notBefore: number | null
  /** When the claim lapses and another desktop may take the item (epoch ms, the store's clock). */
  claimExpiresAt: number
}

/** Who holds a batch's pending items, as one line per holder (null: items nobody holds). */
export interface ClaimHolder {
  owner: string | null
  items: number
  /** The latest expiry among its claims (epoch ms, the store's clock); null for items nobody holds. */
  expiresAt: number | null
}

/** A lease as `leaseHolders` reads it. */
export interface LeaseHolder {
  owner: string
  /** Epoch ms, on the store's clock. */
  expiresAt: number
}

/** How a leadership ended: given away by its holder, or lost (its connection or lease is gone). */
export type LeadershipEnd = 'released' | 'lost'

export interface Leadership {
  readonly name: string
  readonly owner: string
  /** Whether this holder still leads. */
  held(): boolean
  /** Settles once, when the leadership ends, however it ends. */
  readonly ended: Promise<LeadershipEnd>
  release(): Promise<void>
}

export interface LeadOptions {
  /**
   * Whether a holder is known to be gone (a process of this computer that no longer runs): its
   * leadership is taken at once rather than when its lease lapses. Only SQLite asks; on PostgreSQL a
   * dead process's session ends with it, and its lock with the session.
   */
  holderIsGone?: (holder: string) => boolean
}

/** A message's body: what JSON carries. */
export type Payload = null | boolean | number | string | Payload[] | { [key: string]: Payload }

export type Unlisten = () => Promise<void>

export interface Coordination {
  readonly dialect: Dialect
  /** The clock every expiry is reckoned by, in epoch ms: the database's on PostgreSQL. */
  now(): Promise<number>
  /** Takes `key` for `owner` unless someone else holds it and it has not expired. */
  acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean>
  /** Pushes the lease's expiry on; false when it is no longer `owner`'s. */
  renewLease(key: string, owner: string, ttlMs: number): Promise<boolean>
  releaseLease(key: string, owner: string): Promise<void>
  /**
   * The leases not yet expired whose key starts with `prefix`, by owner: the runners of a batch
   * registered as `batch:<id>:runner:<owner>`, for sharing its QPS (docs/team-mode.md B8.5). The
   * expiry tells a joiner whether a runner has renewed since the joiner registered.
   */
  leaseHolders(prefix: string): Promise<LeaseHolder[]>
  /**
   * Up to `limit` pending items of the batch that nobody holds or whose claim expired, in id order,
   * now held by `owner` for `ttlMs`. Two desktops claiming at once never get the same item.
   */
  claimItems(batchId: number, owner: string, limit: number, ttlMs: number): Promise<ClaimedItem[]>
  /** Pushes the expiry of every pending item `owner` holds in the batch on; how many it still holds. */
  renewClaims(batchId: number, owner: string, ttlMs: number): Promise<number>
  /** Lets an unfinished item go, so another desktop may take it at once; false when it was not held. */
  releaseClaim(itemId: number, owner: string): Promise<boolean>
  /**
   * Lets go, in one statement, every pending item `owner` holds in the batch but those in `keep` (its
   * items in flight); how many it let go. For a runner that pauses or leaves, and for a dead one's.
   */
  releaseClaims(batchId: number, owner: string, keep?: number[]): Promise<number>
  /** Who holds the batch's pending items now, expired claims included: empty once none is pending. */
  claimHolders(batchId: number): Promise<ClaimHolder[]>
  /** Leads the job `name` unless another holder does: null then, and the caller asks again later. */
  lead(name: string, owner: string, options?: LeadOptions): Promise<Leadership | null>
  /**
   * The owner that leads the job `name` now, or null when nobody does: for people to read (a status
   * line), never to decide who leads, which only `lead` does.
   */
  leaderOf(name: string): Promise<string | null>
  /** Tells every listener of `topic` (an identifier: lower-case letters, digits, `_`). */
  notify(topic: string, payload: Payload): Promise<void>
  listen(topic: string, handler: (payload: Payload) => void): Promise<Unlisten>
  /** Ends every leadership and listener this handle holds, and its connections of its own. */
  close(): Promise<void>
}
