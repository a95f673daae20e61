import 'element-plus/es/components/message/style/css'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { restoreSession, session } from './session'
import './style.css'

restoreSession()
router.beforeEach((to) => {
  if (!to.meta.public && !session.token) return { name: 'login', query: { next: to.fullPath } }
  return true
})
createApp(App).use(router).mount('#app')
