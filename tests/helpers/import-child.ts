import { importFile } from '../../src/main/files/import/importer'
import { openStore } from '../../src/main/store/connection'

// An import in a process of its own, for a test to kill mid-way: prints a line after each commit.

const [dbFile, file] = process.argv.slice(2)
const db = openStore(dbFile!)
await importFile(db, file!, {
  type: 'pay',
  onProgress: (rows) => process.stdout.write(`${rows}\n`),
})
db.close()
process.stdout.write('done\n')
