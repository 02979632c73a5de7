import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  appendToJournal,
  claimJournal,
  dropClaimed,
  journalFileFor,
  journalWaiting,
} from '../../src/main/store/journal'
import { tempDir } from '../helpers/world'

// The journal beside the database (docs/domain.md section 6.8): append-only, synced, readable by its
// user alone; a replay claims a file by renaming it, so two processes never both drop one, and a
// line torn by a crash costs that line only.

let dir: string
let file: string
beforeEach(() => {
  dir = tempDir()
  file = path.join(dir, 'paysync.journal')
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('the journal file', () => {
  it('sits beside the database, named after it; an in-memory database has none', () => {
    expect(journalFileFor(path.join(dir, 'paysync.db'))).toBe(file)
    expect(journalFileFor(path.join(dir, 'books.sqlite'))).toBe(path.join(dir, 'books.journal'))
    expect(journalFileFor(':memory:')).toBeNull()
  })

  it('keeps entries in order, readable by its user alone, until a replay claims and drops it', () => {
    expect(journalWaiting(file)).toBe(false)
    appendToJournal(file, { id: 'a', n: 1 } as { id: string })
    appendToJournal(file, { id: 'b', n: 2 } as { id: string })
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(journalWaiting(file)).toBe(true)
    const [claimed, ...more] = claimJournal<{ id: string; n: number }>(file)
    expect(more).toEqual([])
    expect(claimed!.entries).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ])
    expect(claimed!.torn).toBe(0)
    // Claimed: renamed away, so that an append from now on starts a new journal.
    expect(fs.existsSync(file)).toBe(false)
    appendToJournal(file, { id: 'c' })
    dropClaimed(claimed!)
    expect(fs.readdirSync(dir)).toEqual(['paysync.journal'])
    expect(claimJournal(file).flatMap((c) => c.entries)).toEqual([{ id: 'c' }])
  })

  it('a line torn by a crash mid-append costs that line only, not the next one', () => {
    appendToJournal(file, { id: 'whole' })
    fs.appendFileSync(file, '{"id":"torn","finding":{"outco')
    appendToJournal(file, { id: 'after' })
    const [claimed] = claimJournal<{ id: string }>(file)
    expect(claimed!.entries.map((e) => e.id)).toEqual(['whole', 'after'])
    expect(claimed!.torn).toBe(1)
  })

  it('a copy a replay could not finish is claimed again by the next, in any process', () => {
    appendToJournal(file, { id: 'x' })
    const [first] = claimJournal<{ id: string }>(file)
    expect(first!.entries).toEqual([{ id: 'x' }])
    // The first replay could not write its entries (the disk is still full): its copy stays.
    expect(journalWaiting(file)).toBe(true)
    // The next replay claims that copy under a name of its own (the database skips what the first
    // may have written meanwhile), and the first one's drop no longer finds it.
    const [second, ...none] = claimJournal<{ id: string }>(file)
    expect(none).toEqual([])
    expect(second!.entries).toEqual([{ id: 'x' }])
    expect(second!.file).not.toBe(first!.file)
    dropClaimed(first!)
    expect(fs.existsSync(second!.file)).toBe(true)
    dropClaimed(second!)
    expect(fs.readdirSync(dir)).toEqual([])
    expect(journalWaiting(file)).toBe(false)
  })
})
