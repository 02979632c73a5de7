import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import { tempDir } from '../helpers/world'

// A command that only reads (the command-line lists) opens its context with `readsOnly`: no
// checkpoint thread, the connection checkpointing as SQLite does by default. What it must still do:
// read what a writer committed, and leave no log behind when it closes last.

let dir: string
let file: string
beforeEach(() => {
  dir = tempDir()
  file = path.join(dir, 'books.db')
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const autocheckpoint = (ctx: ServiceContext) => ctx.db.pragma('wal_autocheckpoint', { simple: true })

describe('a context that only reads', () => {
  it('starts no checkpoint thread; a writing context does', async () => {
    const writer = new ServiceContext({ dbFile: file, transport: 'cli' })
    // The thread took the checkpoints over: the working connection makes none.
    expect(autocheckpoint(writer)).toBe(0)
    const reader = new ServiceContext({ dbFile: file, transport: 'cli', readsOnly: true })
    expect(autocheckpoint(reader)).toBe(1000)
    await reader.close()
    await writer.close()
  })

  it('lists what a writer committed, and its close leaves no log behind', async () => {
    const writer = new ServiceContext({ dbFile: file, transport: 'cli', operator: 'ops' })
    await dispatch(writer, 'settings.set', { operatorName: 'Li Lei' })
    await writer.close()

    const reader = new ServiceContext({ dbFile: file, transport: 'cli', readsOnly: true })
    const audit = await dispatch(reader, 'audit.list', {})
    expect(audit.items.some((r) => r.event === 'settings_changed')).toBe(true)
    const records = await dispatch(reader, 'records.list', {})
    expect(records.total).toBe(0)
    await reader.close()
    // The last connection to close copies the log back and removes it, as the thread's last
    // checkpoint would have.
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
  })
})
