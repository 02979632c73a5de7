import { describe, expect, it } from 'vitest'
import { fullProgram, programFor } from '../../src/main/server/cli/main'

// The command line loads only the command it runs (src/main/server/cli/catalog.ts): top-level help is
// drawn from the catalog's lines, each command's own help from its module. Both must say what the
// whole program, every module loaded, says.

const argv = (...args: string[]) => ['node', 'paysync', ...args]

describe('the command catalog', () => {
  it('top-level help reads as it does with every command loaded', async () => {
    const full = (await fullProgram()).helpInformation()
    expect((await programFor(argv('--help'))).helpInformation()).toBe(full)
    expect((await programFor(argv())).helpInformation()).toBe(full)
    // Help asked before a command is the top-level one.
    expect((await programFor(argv('-h', 'records'))).helpInformation()).toBe(full)
  })

  it('each command is defined in full by its own module alone', async () => {
    const full = await fullProgram()
    for (const cmd of full.commands) {
      for (const args of [[cmd.name()], ['--db', 'x.db', '--json', cmd.name()], ['help', cmd.name()]]) {
        const one = (await programFor(argv(...args))).commands.find((c) => c.name() === cmd.name())
        expect(one, args.join(' ')).toBeDefined()
        expect(one!.helpInformation()).toBe(cmd.helpInformation())
        for (const sub of cmd.commands)
          expect(one!.commands.find((c) => c.name() === sub.name())?.helpInformation()).toBe(
            sub.helpInformation(),
          )
      }
    }
  })

  it('a name that is no command gets every name to choose from', async () => {
    const program = await programFor(argv('recods'))
    expect(program.commands.map((c) => c.name())).toEqual((await fullProgram()).commands.map((c) => c.name()))
  })
})
