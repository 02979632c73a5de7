import { say, type MessageId, type Params } from '../../../shared/messages'

// The sentences of a statement refusal or notice live in the project's catalog (src/shared/messages.ts,
// ids `statement.*`): the window shows the Chinese one, the command line the English one. No file of
// this folder holds user-facing text.

export type { Params }

export type StatementMessageId = Extract<MessageId, `statement.${string}`>

/**
 * The sentence of `id` in `lang` with its parameters filled in. A parameter that has a name in each
 * language (a channel's) comes as `nameZh` and `nameEn`, and fills `{name}` in its own language.
 */
export function statementText(id: StatementMessageId, params: Params, lang: 'zh' | 'en'): string {
  const suffix = lang === 'zh' ? 'Zh' : 'En'
  const own: Params = { ...params }
  for (const [k, v] of Object.entries(params)) if (k.endsWith(suffix)) own[k.slice(0, -2)] = v
  return say(id, own, lang === 'zh' ? 'zh-CN' : 'en-US')
}
