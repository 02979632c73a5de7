import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { showClippedText } from './clip-title'
import { whenIdle } from './idle'

showClippedText()
// The first screen's code is fetched while the shell mounts rather than after it: the router starts
// its own navigation only once mounting is over, and calling the same loader then finds it loaded.
for (const record of router.resolve(location.hash.slice(1) || '/').matched) {
  const view = record.components?.default
  if (typeof view === 'function') void (view as () => Promise<unknown>)().catch(() => undefined)
}
createApp(App).use(createPinia()).use(router).mount('#app')
// Every other screen's code after the first is shown: moving to one then builds it without a fetch.
whenIdle(
  router
    .getRoutes()
    .map((record) => record.components?.default)
    .filter((view): view is () => Promise<unknown> => typeof view === 'function'),
)
