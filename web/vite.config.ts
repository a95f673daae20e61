// Builds the console into the Python package (src/fanzha/web/static), which the API serves at `/`.
// Swagger UI's files are copied beside it so that `/docs` works on a network without internet.
import { cpSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import Components from 'unplugin-vue-components/vite'
import { defineConfig, type Plugin } from 'vite'

const here = dirname(fileURLToPath(import.meta.url))
const outDir = resolve(here, '../src/fanzha/web/static')
const SWAGGER_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'LICENSE']

function swaggerUi(): Plugin {
  return {
    name: 'fanzha-swagger-ui',
    apply: 'build',
    closeBundle() {
      const from = resolve(here, 'node_modules/swagger-ui-dist')
      const to = resolve(outDir, 'swagger')
      mkdirSync(to, { recursive: true })
      for (const file of SWAGGER_FILES) cpSync(resolve(from, file), resolve(to, file))
      cpSync(resolve(here, 'swagger/init.js'), resolve(to, 'init.js'))
    },
  }
}

export default defineConfig({
  // Element Plus components are imported where templates use them, each with its own styles (a smaller bundle).
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver()], dts: false }), swaggerUi()],
  base: '/',
  build: {
    outDir,
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (id.includes('node_modules/cytoscape')) return 'cytoscape'
          return undefined
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
})
