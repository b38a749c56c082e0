#!/usr/bin/env node
/**
 * Builds the admin web UI (ui/src, TypeScript + Preact) into dist/ui/public: content-hashed bundles
 * (served with a long cache) and an index.html naming them (served with a short one). Runs at
 * `npm install` time through `prepare`, so the package ships the built files and needs no CDN.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/ui/public');
const assets = path.join(outdir, 'assets');

await rm(outdir, { recursive: true, force: true });
await mkdir(assets, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'ui/src/main.tsx' },
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: assets,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
const script = outputs.find((file) => file.endsWith('.js'));
const style = outputs.find((file) => file.endsWith('.css'));
if (!script || !style) throw new Error(`UI build produced no ${script ? 'stylesheet' : 'script'}`);
const template = await readFile(path.join(root, 'ui/index.html'), 'utf8');
await writeFile(path.join(outdir, 'index.html'), template.replace('%STYLE%', `/ui/assets/${style}`).replace('%SCRIPT%', `/ui/assets/${script}`));

let gzipTotal = 0;
for (const file of [script, style]) gzipTotal += gzipSync(await readFile(path.join(assets, file))).length;
const limit = 200 * 1024;
process.stdout.write(`ui: built ${script} and ${style} (${(gzipTotal / 1024).toFixed(1)} KB gzip)\n`);
if (gzipTotal > limit) throw new Error(`UI bundle is ${gzipTotal} bytes gzip, over the ${limit} byte budget`);
