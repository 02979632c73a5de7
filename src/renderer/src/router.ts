import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'

// Hash history: the same build works from file:// in the desktop app and from the browser-mode server.
// The menu is built from `meta.menu`, in this order.
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/overview' },
  {
    path: '/overview',
    name: 'overview',
    component: () => import('./views/OverviewView.vue'),
    meta: { menu: 'menu.overview' },
  },
  {
    path: '/records',
    name: 'records',
    component: () => import('./views/RecordsView.vue'),
    meta: { menu: 'menu.records' },
  },
  {
    path: '/orders',
    name: 'orders',
    component: () => import('./views/OrdersView.vue'),
    meta: { menu: 'menu.orders' },
  },
  {
    path: '/refunds',
    name: 'refunds',
    component: () => import('./views/RefundsView.vue'),
    meta: { menu: 'menu.refunds' },
  },
  {
    path: '/repairs',
    name: 'repairs',
    component: () => import('./views/RepairsView.vue'),
    meta: { menu: 'menu.repairs' },
  },
  {
    path: '/anomalies',
    name: 'anomalies',
    component: () => import('./views/AnomaliesView.vue'),
    meta: { menu: 'menu.anomalies' },
  },
  {
    path: '/statements',
    name: 'statements',
    component: () => import('./views/StatementsView.vue'),
    meta: { menu: 'menu.statements' },
  },
  {
    path: '/batch',
    name: 'batch',
    component: () => import('./views/BatchSyncView.vue'),
    meta: { menu: 'menu.batch' },
  },
  {
    path: '/merchants',
    name: 'merchants',
    component: () => import('./views/MerchantsView.vue'),
    meta: { menu: 'menu.merchants' },
  },
  {
    path: '/audit',
    name: 'audit',
    component: () => import('./views/AuditLogView.vue'),
    meta: { menu: 'menu.audit' },
  },
  {
    path: '/settings',
    name: 'settings',
    component: () => import('./views/SettingsView.vue'),
    meta: { menu: 'menu.settings' },
  },
  { path: '/:rest(.*)*', redirect: '/overview' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })
