import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';

const here = dirname(fileURLToPath(import.meta.url));
const api = join(here, '..', 'api');

/** Sidebar of the generated API reference: one group per package, its kinds as sub-groups. */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  if (!existsSync(api)) return [{ text: 'API (run the build to generate)', link: '/api/' }];
  const packages = readdirSync(api, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return [
    { text: 'API reference', link: '/api/' },
    ...packages.map((p) => {
      const dir = join(api, p, 'src');
      const kinds = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'namespaces').map((e) => e.name).sort() : [];
      return {
        text: `@dpmambair/${p}`,
        link: `/api/${p}/src/`,
        collapsed: true,
        items: kinds.map((k) => ({
          text: k.replace(/-/g, ' '),
          collapsed: true,
          items: readdirSync(join(dir, k)).filter((f) => f.endsWith('.md')).sort().map((f) => ({ text: f.replace(/\.md$/, ''), link: `/api/${p}/src/${k}/${f.replace(/\.md$/, '')}` })),
        })),
      };
    }),
  ];
}

export default defineConfig({
  title: 'dpmambair',
  description: 'All-in-one image restoration (DPMambaIR) in Node and the browser: one model for noise, JPEG, blur, low light, haze, rain and snow.',
  cleanUrls: false,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  lastUpdated: false,
  srcExclude: ['generated/**'],
  // Pages link into the repository (README files, sources) by path in code spans, not by URL.
  ignoreDeadLinks: false,
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Live demo', link: '/demo' },
      { text: 'Model', link: '/model' },
      { text: 'Benchmarks', link: '/benchmarks' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/api/': apiSidebar(),
      '/': [
        {
          text: 'Guide',
          items: [
            { text: 'Getting started', link: '/guide/getting-started' },
            { text: 'Many machines', link: '/guide/many-machines' },
            { text: 'Live demo', link: '/demo' },
            { text: 'Figma plugin', link: '/figma-plugin' },
          ],
        },
        {
          text: 'Reference',
          items: [
            { text: 'The model', link: '/model' },
            { text: 'Benchmarks', link: '/benchmarks' },
            { text: 'API reference', link: '/api/' },
            { text: 'Screenshots', link: '/screenshots' },
          ],
        },
      ],
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
    footer: { message: 'MIT licensed. DPMambaIR: Liu et al., arXiv 2504.17732 (this is an independent implementation).' },
  },
  vite: {
    build: { chunkSizeWarningLimit: 4000 },
    // The demo bundle in public/demo/ is imported at runtime by URL, never bundled by Vite.
    optimizeDeps: { exclude: ['@dpmambair/core'] },
  },
});
