// `node bench/large-body-split.mjs`: where a large request body's cost goes. The bare pass-through and
// the gateway (as it is, and with a provider prefix on the model so the body is edited), each pinned to
// core 0, take the same load of large bodies in many short rounds of alternating order; prints each
// one's CPU per request and the median of its per-round ratios to `bare`. Env: SIZE (bytes, 1000000),
// ROUNDS (20), N (requests per round, 60), PROF=1 (profile the gateway and print its top functions).
// Needs `npm run build`.
import { fork, spawn } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeChatBody } from './bodies.mjs';
import { median, runLoad, summarize } from './load.mjs';
import { cpuMs, waitForHealth, writeGatewayConfig } from './processes.mjs';
import { summarizeProfile } from './profile-summary.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SIZE = Number(process.env.SIZE ?? 1_000_000);
const N = Number(process.env.N ?? 60);
const ROUNDS = Number(process.env.ROUNDS ?? 20);
const profileDir = '/tmp/prof/large-body';
const pinned = (args) => spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });

const mock = fork(path.join(here, 'mock-upstream.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const { port: mockPort } = await new Promise((resolve) => mock.once('message', resolve));
const mockUrl = `http://127.0.0.1:${mockPort}`;
const body = largeChatBody(SIZE);

const bare = pinned([...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir', `${profileDir}-bare`] : []), path.join(here, 'bare-proxy.mjs'), mockUrl]);
const { port: barePort } = await new Promise((resolve) => bare.once('message', resolve));
if (process.env.PROF) for (const dir of [profileDir, `${profileDir}-bare`]) await rm(dir, { recursive: true, force: true });
const { configPath, url } = await writeGatewayConfig(mockUrl);
const gateway = pinned([
  ...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
  // GATEWAY_FLAGS: Node flags for the gateway (e.g. to compare V8 settings).
  ...(process.env.GATEWAY_FLAGS?.split(' ').filter(Boolean) ?? []),
  path.join(here, '..', 'dist', 'cli', 'main.js'),
  '--config',
  configPath,
]);
await waitForHealth(url);

// ALT=path/to/dist/cli/main.js: a second gateway (e.g. a patched copy of dist) measured alongside;
// ALT_CONFIG='{"KEY":value}' gives it further config.json keys (ALT=dist/cli/main.js to compare configs).
let alt;
if (process.env.ALT) {
  const altConfig = await writeGatewayConfig(mockUrl, JSON.parse(process.env.ALT_CONFIG ?? '{}'));
  alt = { url: altConfig.url, child: pinned([...process.env.ALT.split(' '), '--config', altConfig.configPath]) };
  await waitForHealth(alt.url);
}
const targets = [
  { name: 'bare', url: `http://127.0.0.1:${barePort}`, child: bare, body },
  { name: 'gateway', url, child: gateway, body },
  { name: 'edited', url, child: gateway, body: { ...body, model: 'openai-custom:gpt-4o-mini' } },
  ...(alt ? [{ name: 'alt', ...alt, body }] : []),
]
  // ONLY=gateway,edited: a subset (bare always stays, the ratios are to it; so does ALT's gateway).
  .filter((target) => target.name === 'bare' || target.name === 'alt' || !process.env.ONLY || process.env.ONLY.split(',').includes(target.name))
  .map((target) => ({ ...target, cpu: [], p50: [] }));
for (const target of targets) await runLoad({ origin: target.url, path: '/v1/chat/completions', body: target.body, concurrency: 4, requests: 200 });
for (let round = 0; round < ROUNDS; round++) {
  for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
    const before = await cpuMs(target.child.pid);
    const result = await runLoad({ origin: target.url, path: '/v1/chat/completions', body: target.body, concurrency: 4, requests: N });
    target.cpu.push((((await cpuMs(target.child.pid)) - before) * 1000) / N);
    if (result.failures > 0) throw new Error(`${target.name}: ${result.failures} failed requests`);
    target.p50.push(summarize(result.latencies).p50);
  }
}
for (const target of targets) {
  const ratio = median(target.cpu.map((x, i) => x / targets[0].cpu[i]));
  console.log(
    target.name.padEnd(8),
    median(target.cpu).toFixed(0).padStart(6),
    'µs/req',
    `x${ratio.toFixed(2)} of bare`,
    `p50 ${median(target.p50).toFixed(1)} ms`,
  );
}
const bareExited = new Promise((resolve) => bare.once('exit', resolve));
bare.disconnect();
await bareExited;
mock.kill();
alt?.child.kill();
const exited = new Promise((resolve) => gateway.once('exit', resolve));
gateway.kill('SIGTERM');
await exited;
if (process.env.PROF) {
  for (const dir of [`${profileDir}-bare`, profileDir]) {
    const [file] = await readdir(dir);
    console.log(path.basename(dir), await summarizeProfile(path.join(dir, file), 30));
  }
}
