import { describe, expect, it, vi } from 'vitest'
import { fromRawApi, OPERATION_NAMES, type RawApi } from '../../src/shared/api'
import { ApiError } from '../../src/shared/errors'
import { exposed, ipcRenderer } from '../mocks/electron'

// The preload with a mocked `electron`: it exposes exactly the contract's operations, and a failure
// crosses the context bridge as data (Electron would strip an Error to its message), to become an
// ApiError with its code and catalog entry on the page's side.

vi.mock('electron', () => import('../mocks/electron'))
await import('../../src/preload/index')
const raw = exposed.get('paysync') as RawApi

describe('the preload', () => {
  it('exposes one function per contract operation, plus on, and nothing else', () => {
    const names: string[] = []
    for (const [group, methods] of Object.entries(raw))
      if (group !== 'on') for (const m of Object.keys(methods as object)) names.push(`${group}.${m}`)
    expect(names.sort()).toEqual([...OPERATION_NAMES].sort())
    expect([...exposed.keys()]).toEqual(['paysync'])
  })

  it('invokes the operation’s channel and answers plain data', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { total: 0, items: [] } })
    expect(await raw.records.list({ limit: 5, offset: 0 })).toEqual({
      ok: true,
      value: { total: 0, items: [] },
    })
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('paysync:records.list', { limit: 5, offset: 0 })
  })

  it('turns a failure into an ApiError with its code and catalog entry on the page', async () => {
    const wire = {
      code: 'not_found',
      message: 'batch 7 does not exist',
      id: 'batch.notFound',
      params: { id: 7 },
    }
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: wire })
    const reply = await raw.batches.get({ id: 7 })
    // What crosses the bridge is structured-clonable data, not an Error.
    expect(structuredClone(reply)).toEqual({ ok: false, error: wire })
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: wire })
    const err = await fromRawApi(raw)
      .batches.get({ id: 7 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({
      code: 'not_found',
      message: 'batch 7 does not exist',
      id: 'batch.notFound',
      params: { id: 7 },
    })
  })

  it('never passes on a malformed error as if it were main’s', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: { stack: 'secret' } })
    const err = await fromRawApi(raw)
      .records.get({ id: 1 })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'internal', message: 'unknown error' })
  })
})
