/**
 * Vite build of the web UI. `npx vite build --config web/vite.config.ts` writes `web/dist/`:
 *  - `index.html` + `assets/`: the application the API server serves at `/` (module scripts from 'self', so
 *    the server's Content-Security-Policy holds);
 *  - `verifier-offline.html`: the court verifier as ONE self-contained file (script and styles inlined) that a
 *    clerk can save and open from disk with no server at all (`file://` cannot load module chunks).
 */
import { defineConfig, build, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = resolve(root, 'dist');

/** Inlines the entry chunk and its CSS into the HTML page and drops the separate files. */
function inlineIntoHtml(): Plugin {
  return {
    name: 'tec-inline-into-html',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const htmlFile = Object.values(bundle).find((f) => f.type === 'asset' && f.fileName.endsWith('.html'));
      if (!htmlFile || htmlFile.type !== 'asset') return;
      let html = String(htmlFile.source);
      for (const [name, file] of Object.entries(bundle)) {
        if (file.type === 'chunk') {
          const tag = new RegExp(`<script type="module" crossorigin src="[^"]*${escapeRe(file.fileName)}"></script>`);
          // `</script` inside the code would end the element early; split it.
          const code = file.code.replace(/<\/script/gi, '<\\/script');
          html = html.replace(tag, () => `<script type="module">${code}</script>`);
          delete bundle[name];
        } else if (file.fileName.endsWith('.css')) {
          const tag = new RegExp(`<link rel="stylesheet" crossorigin href="[^"]*${escapeRe(file.fileName)}">`);
          html = html.replace(tag, () => `<style>${String(file.source)}</style>`);
          delete bundle[name];
        }
      }
      htmlFile.source = html;
    },
  };
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** After the main build, a second build of the offline verifier page into the same directory. */
function offlineVerifier(): Plugin {
  let target = outDir;
  return {
    name: 'tec-offline-verifier',
    apply: 'build',
    configResolved(config) {
      target = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await build({
        configFile: false,
        root,
        base: './',
        logLevel: 'warn',
        plugins: [inlineIntoHtml()],
        build: {
          outDir: target,
          emptyOutDir: false,
          target: 'es2022',
          assetsInlineLimit: 100_000_000,
          cssCodeSplit: false,
          modulePreload: false,
          rollupOptions: {
            input: { 'verifier-offline': resolve(root, 'verifier-offline.html') },
            output: { codeSplitting: false },
          },
        },
      });
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [offlineVerifier()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { index: resolve(root, 'index.html') } },
  },
  server: { fs: { allow: [resolve(root, '..')] } },
});
