import { h, type VNode } from 'vue'
import type { ScheduleHold } from '../../shared/entity-views'
import type { LabelGroup } from '../../shared/labels'
import { label, t } from './i18n'

// Small cell renderers shared by the lists: coloured status tags, links, amounts.

type TagType = 'default' | 'success' | 'warning' | 'error' | 'info' | 'primary'

export function gatewayStatusType(s: string | null | undefined): TagType {
  if (!s) return 'default'
  if (s === 'sync_error' || s === 'refund_abnormal' || s === 'pay_fail') return 'error'
  if (s.endsWith('success')) return 'success'
  if (s === 'pay_timeout' || s.endsWith('closed') || s.endsWith('not_found') || s === 'pay_refund')
    return 'warning'
  return 'info'
}

export function outcomeType(o: string | null | undefined): TagType {
  switch (o) {
    case 'consistent':
      return 'success'
    case 'repaired':
      return 'info'
    case 'anomaly':
      return 'warning'
    case 'error':
      return 'error'
    default:
      return 'default'
  }
}

export function tradeStatusType(s: string | null | undefined): TagType {
  switch (s) {
    case 'success':
      return 'success'
    case 'progress':
      return 'info'
    case 'fail':
      return 'error'
    default:
      return 'default'
  }
}

export function refundStatusType(s: string | null | undefined): TagType {
  switch (s) {
    case 'refunded':
      return 'warning'
    case 'partial_refund':
    case 'refunding':
      return 'info'
    default:
      return 'default'
  }
}

/** A table's scroll width: the sum of its columns' widths (a column without one adds nothing). */
export function columnsWidth(columns: readonly object[]): number {
  return columns.reduce<number>((n, c) => n + (('width' in c && Number(c.width)) || 0), 0)
}

export function anomalyStatusType(s: string | null | undefined): TagType {
  return s === 'open' ? 'warning' : s === 'resolved' ? 'success' : 'default'
}

export function batchStatusType(s: string | null | undefined): TagType {
  switch (s) {
    case 'running':
      return 'info'
    case 'done':
      return 'success'
    case 'paused':
    case 'interrupted':
      return 'warning'
    case 'cancelled':
      return 'default'
    default:
      return 'default'
  }
}

/** A coloured tag with the code's name; an em dash when there is no code. */
export function codeTag(
  group: LabelGroup,
  code: string | null | undefined,
  type: TagType = 'default',
): VNode | string {
  if (!code) return '—'
  return h('span', { class: `code-tag code-tag--${type}` }, label(group, code))
}

/** Why the schedules skip a trade (docs/domain.md 6.7): 定时同步：已暂停（批次 #12 已取消）. */
export function heldText(hold: ScheduleHold): string {
  return t('trades.held', { id: hold.batchId, status: label('batchStatus', hold.batchStatus) })
}

/**
 * A gateway's own status word (TRADE_SUCCESS, ABNORMAL, 03...) shown by what it means, coloured as
 * the records show it, with the word itself on hover: the window speaks its language, and the word
 * stays one mouse move away for a call to the gateway's support.
 */
export function gatewayWord(
  code: string | null | undefined,
  word: string | null | undefined,
): VNode | string {
  if (!code) return word ? h('span', { title: word }, label('gatewayStatus', word)) : '—'
  return h(
    'span',
    { class: `code-tag code-tag--${gatewayStatusType(code)}`, title: word ?? undefined },
    label('gatewayStatus', code),
  )
}

/** A text button inside a clickable row: it acts and keeps the row's own click from firing. */
export function link(text: string, onClick: () => void): VNode {
  return h(
    'button',
    {
      type: 'button',
      class: 'cell-link',
      onClick: (e: MouseEvent) => {
        e.stopPropagation()
        onClick()
      },
    },
    text,
  )
}

/** The name of a status a repair or anomaly carries: pay, pay refund or refund status. */
export function statusName(tradeType: string, code: string | null | undefined): string {
  if (!code) return ''
  if (tradeType === 'refund') return label('refundStatus', code)
  const pay = label('payStatus', code)
  return pay !== code ? pay : label('payRefundStatus', code)
}

/**
 * Row props that open a detail on click, except when the click ticks the row's checkbox, hits a
 * button or link inside the row, or ends a text selection (people copy order numbers from lists).
 * Rows are in the Tab order too: Enter (or Space) opens the focused row, the arrow keys move between
 * rows (docs/screens.md section 1).
 */
export function openOnClick(open: () => void): {
  style: string
  tabindex: number
  class: string
  onClick: (e: MouseEvent) => void
  onKeydown: (e: KeyboardEvent) => void
} {
  return {
    style: 'cursor: pointer',
    tabindex: 0,
    class: 'open-row',
    onClick: (e: MouseEvent) => {
      const target = e.target as HTMLElement | null
      if (target?.closest('.n-data-table-td--selection, button, a, .n-switch, .n-checkbox')) return
      if (window.getSelection()?.toString()) return
      open()
    },
    onKeydown: (e: KeyboardEvent) => {
      // Keys on a button or checkbox inside the row are theirs.
      if (e.target !== e.currentTarget) return
      const row = e.currentTarget as HTMLElement
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault()
        open()
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        const next = e.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling
        if (next instanceof HTMLElement && next.tabIndex >= 0) {
          e.preventDefault()
          next.focus()
        }
      }
    },
  }
}

/**
 * A cell cut off with an ellipsis; hovering it shows the whole text (clip-title.ts). Plain CSS: a page
 * of ellipsis components, even ones that mount their tooltip on hover only, was a tenth of the time
 * until a list's first rows showed.
 */
export const clipped = { className: 'clip' } as const

/** A statement's 结果 (平 green, 不平 red, 待跨日 amber) or, before matching, its status. */
export function statementStateType(s: string | null | undefined): TagType {
  switch (s) {
    case 'balanced':
    case 'matched':
      return 'success'
    case 'unbalanced':
    case 'failed':
      return 'error'
    case 'pending_cross_day':
      return 'warning'
    case 'fetching':
    case 'parsed':
      return 'info'
    default:
      return 'default'
  }
}

/**
 * A trade's 对账 cell (docs/reconcile.md A15.3): 已对账 with its bill day, a link to the statement;
 * 跨日待核 in amber, linked when a statement sent it on; 未对账 plain.
 */
export function reconcileCell(
  r: { state: string; statementId: number | null; billDate: string | null },
  open: (statementId: number) => void,
): VNode | string {
  const name = label('reconcileState', r.state)
  if (r.state === 'unreconciled' || r.statementId === null)
    return r.state === 'pending_cross_day' ? h('span', { class: 'code-tag code-tag--warning' }, name) : name
  const text = r.state === 'reconciled' && r.billDate ? `${name} ${r.billDate}` : name
  const a = link(text, () => open(r.statementId!))
  return r.state === 'pending_cross_day' ? h('span', { class: 'code-tag code-tag--warning' }, [a]) : a
}
