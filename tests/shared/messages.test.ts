import { describe, expect, it } from 'vitest'
import { MESSAGES, say, type MessageId } from '../../src/shared/messages'
import { AppError } from '../../src/shared/errors'
import { toWireError } from '../../src/main/services/index'

describe('the sentences main sends, in both languages', () => {
  it('every entry has the same parameters in Chinese and English', () => {
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const [id, m] of Object.entries(MESSAGES)) {
      expect(params(m.zh), id).toEqual(params(m.en))
      expect(m.zh, id).toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it('fills the parameters in the language asked for', () => {
    const id: MessageId = 'batch.nothingToResume'
    expect(say(id, { id: 3, status: 'done' })).toBe('batch 3 is done; there is nothing to resume')
    expect(say(id, { id: 3, status: 'done' }, 'zh-CN')).toBe('批次 3 的状态为 done，没有可继续的内容')
  })

  it('travel as code, English sentence, catalog id and parameters', () => {
    expect(toWireError(AppError.say('not_found', 'order.noNumber', { no: 'P1' }))).toEqual({
      code: 'not_found',
      message: 'no pay order has the number P1',
      id: 'order.noNumber',
      params: { no: 'P1' },
    })
    expect(toWireError(new AppError('busy', 'plain'))).toEqual({ code: 'busy', message: 'plain' })
  })
})
