import { computed, h, type ComputedRef, type Ref } from 'vue'
import { NSpace, type DataTableColumns } from 'naive-ui'
import type { StatementView } from '../../../../shared/statements'
import { isZh, label, t } from '../../i18n'
import { count, feeYuan, time, yuan } from '../../format'
import { clipped, codeTag, link, statementStateType } from '../../render'

// The columns of the 对账 list (docs/reconcile.md A15.1), with the row's actions: 查看, 重新对账, and
// 下载原始文件 for a statement that keeps its bill file.

/** 6 笔 ¥0.06, refunds on hover. */
function sideCell(
  side: { payCount: number; payAmount: number; refundCount: number; refundAmount: number } | undefined,
) {
  if (!side) return '—'
  return h(
    'span',
    {
      title: t('statements.sideTitle', {
        pay: count(side.payCount),
        payAmount: yuan(side.payAmount),
        refund: count(side.refundCount),
        refundAmount: yuan(side.refundAmount),
      }),
    },
    `${t('statements.countOf', { n: count(side.payCount) })} ${yuan(side.payAmount)}`,
  )
}

export interface StatementRowActions {
  rerunning: Ref<number | null>
  open(id: number): void
  rerun(s: StatementView): void
  original(s: StatementView): void
}

export function statementColumns(o: StatementRowActions): ComputedRef<DataTableColumns<StatementView>> {
  return computed<DataTableColumns<StatementView>>(() => [
    { title: t('statements.billDate'), key: 'billDate', width: 110, fixed: 'left' },
    { title: t('trades.merchant'), key: 'merchant', width: 120, ...clipped },
    { title: t('statements.channel'), key: 'channel', width: 80, render: (r) => label('channel', r.channel) },
    {
      title: t('statements.state'),
      key: 'result',
      width: 120,
      render: (r) =>
        r.result
          ? codeTag('statementResult', r.result, statementStateType(r.result))
          : h('span', { title: (isZh.value ? r.errorZh : r.errorMsg) ?? '' }, [
              codeTag('statementStatus', r.status, statementStateType(r.status)),
            ]),
    },
    {
      title: t('statements.lines'),
      key: 'lines',
      width: 80,
      align: 'right',
      titleAlign: 'right',
      render: (r) => (r.summary ? count(r.summary.lines.total) : '—'),
    },
    {
      title: t('statements.diffs'),
      key: 'openDiffs',
      width: 80,
      align: 'right',
      titleAlign: 'right',
      render: (r) =>
        r.openDiffs
          ? h('span', { class: 'code-tag code-tag--error' }, count(r.openDiffs))
          : r.summary
            ? '0'
            : '—',
    },
    {
      title: t('statements.channelSide'),
      key: 'channelSide',
      width: 140,
      align: 'right',
      titleAlign: 'right',
      render: (r) => sideCell(r.summary?.channel),
    },
    {
      title: t('statements.localSide'),
      key: 'localSide',
      width: 140,
      align: 'right',
      titleAlign: 'right',
      render: (r) => sideCell(r.summary?.local),
    },
    {
      title: t('statements.fee'),
      key: 'fee',
      width: 100,
      align: 'right',
      titleAlign: 'right',
      render: (r) => (r.summary ? feeYuan(r.summary.channel.feeE5) : '—'),
    },
    {
      title: t('statements.net'),
      key: 'net',
      width: 110,
      align: 'right',
      titleAlign: 'right',
      render: (r) => (r.summary && r.summary.channel.netE5 !== null ? feeYuan(r.summary.channel.netE5) : '—'),
    },
    {
      title: t('statements.source'),
      key: 'source',
      width: 110,
      render: (r) => label('statementSource', r.source),
    },
    { title: t('statements.reconciledAt'), key: 'lastRunAt', width: 160, render: (r) => time(r.lastRunAt) },
    {
      title: t('statements.actions'),
      key: 'actions',
      width: 250,
      fixed: 'right',
      render: (r) =>
        h(NSpace, { size: 8, wrap: false }, () => [
          link(t('statements.view'), () => o.open(r.id)),
          o.rerunning.value === r.id
            ? t('statements.rerunning')
            : link(t('statements.rerun'), () => o.rerun(r)),
          r.fileName ? link(t('statements.original'), () => o.original(r)) : null,
        ]),
    },
  ])
}
