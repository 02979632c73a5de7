import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'

// Hash history: the same build works from file:// in the desktop app and from the browser-mode server.
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/records' },
  {
    path: '/records',
    name: 'records',
    component: () => import('./views/RecordsView.vue'),
    meta: { menu: 'menu.records' },
  },
]

export const router = createRouter({ history: createWebHashHistory(), routes })
