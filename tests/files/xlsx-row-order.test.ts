import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { importFile } from '../../src/main/files/import/importer'
import { UnreadableFileError } from '../../src/main/files/import/row-source'
import { openStore } from '../../src/main/store/connection'
import { tempDir } from '../helpers/world'

// Found by the long import fuzz (seed 340542, case 3098): a damaged worksheet whose fifth row says
// r="0". The rejected rows were named "line 0", after line 4, which no person can find in the file.
// A sheet whose rows are not numbered upwards is refused whole, as any other damaged .xlsx.

describe('an .xlsx whose rows are out of order', () => {
  it('is refused as damaged, naming the row after which the order breaks', async () => {
    const db = openStore(path.join(tempDir(), 'rows.db'))
    try {
      const file = path.resolve('tests/fixtures/import/row-numbered-zero.xlsx')
      const outcome = importFile(db, file, { type: 'pay', dryRun: true })
      await expect(outcome).rejects.toBeInstanceOf(UnreadableFileError)
      await expect(outcome).rejects.toThrow(/out of order after row 4; the file is damaged/)
    } finally {
      db.close()
    }
  })
})
