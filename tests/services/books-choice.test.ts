import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { BooksChooser, addressHasPassword } from '../../src/main/services/books-choice'
import { useFileBooks, useTeamBooks } from '../../src/main/services/books-switch'
import type { SafeStorageWrapper } from '../../src/main/store/keyring'
import { tempDir } from '../helpers/world'

// Which books the desktop app opens (docs/team-mode.md B8.14): kept in the data folder, the address
// sealed by the key store, never a password kept bare; and who may change them.

/** A key store that seals by reversing and prefixing: enough to see that nothing is stored as typed. */
const sealer: SafeStorageWrapper = {
  wrap: (plain) => Buffer.concat([Buffer.from('sealed:'), Buffer.from(plain).reverse()]),
  unwrap: (wrapped) => Buffer.from(wrapped.subarray(7)).reverse(),
}

const ADDRESS = 'postgres://amy:s3cret@db.example:5432/books'

describe('the books the desktop app opens', () => {
  it('the file until a team database is chosen; the address sealed, the file private', async () => {
    const dir = tempDir('paysync-choice-')
    const chooser = new BooksChooser(dir, sealer)
    expect(await chooser.saved()).toEqual({ kind: 'file' })
    await chooser.useTeam(ADDRESS)
    const file = path.join(dir, 'books.json')
    expect(fs.readFileSync(file, 'utf8')).not.toContain('s3cret')
    expect(fs.readFileSync(file, 'utf8')).not.toContain('db.example')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(await chooser.saved()).toEqual({ kind: 'team', address: ADDRESS })
    chooser.useFile()
    expect(await chooser.saved()).toEqual({ kind: 'file' })
  })

  it('without a key store: a password is never kept bare; an address without one is', async () => {
    const dir = tempDir('paysync-choice-')
    const chooser = new BooksChooser(dir, undefined)
    await expect(chooser.useTeam(ADDRESS)).rejects.toMatchObject({ id: 'teamDb.passwordNotKept' })
    await expect(chooser.useTeam(ADDRESS)).rejects.toThrow(/postgres:\/\/amy:\*\*\*@db\.example/)
    expect(fs.existsSync(path.join(dir, 'books.json'))).toBe(false)
    await chooser.useTeam('postgres://amy@db.example:5432/books')
    expect(await chooser.saved()).toEqual({ kind: 'team', address: 'postgres://amy@db.example:5432/books' })
    // Sealed on a computer that no longer has its key store: said, not guessed.
    await new BooksChooser(dir, sealer).useTeam(ADDRESS)
    await expect(new BooksChooser(dir, undefined).saved()).rejects.toMatchObject({
      id: 'teamDb.choiceSealed',
    })
  })

  it('a choice that cannot be read opens the file, and says so', async () => {
    const dir = tempDir('paysync-choice-')
    fs.writeFileSync(path.join(dir, 'books.json'), '{"team": {"sea')
    expect(await new BooksChooser(dir, sealer).saved()).toEqual({ kind: 'file' })
  })

  it('tells a password in the address', () => {
    expect(addressHasPassword(ADDRESS)).toBe(true)
    expect(addressHasPassword('postgres://amy@db.example/books?password=x')).toBe(true)
    expect(addressHasPassword('postgres://amy@db.example/books')).toBe(false)
  })

  it('only the desktop app chooses, and not when PAYSYNC_DB did', async () => {
    await expect(useTeamBooks(undefined, ADDRESS)).rejects.toMatchObject({ id: 'teamDb.appOnly' })
    await expect(useTeamBooks(undefined, ADDRESS)).rejects.toThrow(
      /paysync serve --db postgres:\/\/amy:\*\*\*@/,
    )
    const fixed = {
      chooser: new BooksChooser(tempDir(), sealer),
      fixedBy: '/data/books.db',
      restart: () => {},
    }
    await expect(useTeamBooks(fixed, ADDRESS)).rejects.toMatchObject({ id: 'teamDb.fixedByEnv' })
    expect(() => useFileBooks(fixed)).toThrow(/PAYSYNC_DB/)
  })
})
