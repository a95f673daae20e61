// Client routes; the API serves index.html for each of them (SPA fallback). Pages other than the sign-in and
// the public lookup need a session; what each shows is what the API lets the user see.
import { createRouter, createWebHistory } from 'vue-router'
import { homePage } from './session'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: () => homePage() },
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    { path: '/lookup', name: 'lookup', component: () => import('./views/LookupView.vue'), meta: { public: true } },
    { path: '/wall', name: 'wall', component: () => import('./views/WallView.vue'), meta: { bare: true } },
    { path: '/leads', name: 'leads', component: () => import('./views/LeadsView.vue') },
    { path: '/warnings', name: 'warnings', component: () => import('./views/WarningsView.vue') },
    { path: '/dashboard', name: 'dashboard', component: () => import('./views/DashboardView.vue') },
    { path: '/reports', name: 'reports', component: () => import('./views/ReportsView.vue') },
    { path: '/reports/:id', name: 'report', component: () => import('./views/ReportView.vue'), props: true },
    { path: '/reports/:id/trace', name: 'trace', component: () => import('./views/TraceView.vue'), props: true },
    { path: '/tasks', name: 'tasks', component: () => import('./views/TasksView.vue') },
    { path: '/campaigns', name: 'campaigns', component: () => import('./views/CampaignsView.vue') },
    { path: '/campaigns/:id', name: 'campaign', component: () => import('./views/CampaignView.vue'), props: true },
    { path: '/:rest(.*)*', redirect: () => homePage() },
  ],
})
