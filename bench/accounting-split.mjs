// `node bench/accounting-split.mjs`: which part of usage accounting costs what, through the gateway.
// Gateways with accounting off, on, metrics only, usage store only, and with the client asking for
// stream usage itself (so the gateway neither adds the option nor drops the chunk), each pinned to core
// 0, measured in many short rounds of the same load in alternating order; prints each one's CPU per
// request and the median of its per-round ratios to `off`. Env: STREAM=0 (JSON answers instead of
// 20-chunk streams), ROUNDS (30), N (requests per round, 1500), ONLY=off,on,... (a subset), PROF=1
// (profile `off` and `on` and print the functions whose self time grew most). Needs `npm run build`.
import { fork, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, runLoad } from './load.mjs';
import { cpuMs, waitForHealth, writeGatewayConfig } from './processes.mjs';
const here = path.dirname(fileURLToPath(import.meta.url));
const stream = process.env.STREAM !== '0';
const N = Number(process.env.N ?? 1500);
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const mock = fork(path.join(here, 'mock-upstream.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const { port: mockPort } = await new Promise((r) => mock.once('message', r));
const mockUrl = `http://127.0.0.1:${mockPort}`;
const base = { model: 'gpt-4o-mini@chunks=20', messages: [{ role: 'user', content: 'hi' }], stream };
const ask = { ...base, stream_options: { include_usage: true } };
const configs = {
  off: [{ USAGE_ENABLED: false, METRICS_ENABLED: false }, base],
  on: [{ USAGE_ENABLED: true, METRICS_ENABLED: true }, base],
  metrics: [{ USAGE_ENABLED: false, METRICS_ENABLED: true }, base],
  usage: [{ USAGE_ENABLED: true, METRICS_ENABLED: false }, base],
  offAsk: [{ USAGE_ENABLED: false, METRICS_ENABLED: false }, ask],
  onAsk: [{ USAGE_ENABLED: true, METRICS_ENABLED: true }, ask],
};
const only = process.env.ONLY?.split(',');
const gateways = [];
for (const [name, [extra, body]] of Object.entries(configs)) {
  if (only && !only.includes(name)) continue;
  const { configPath, url } = await writeGatewayConfig(mockUrl, extra);
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      ...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir', `/tmp/prof/${name}`] : []),
      path.join(here, '..', 'dist', 'cli', 'main.js'),
      '--config',
      configPath,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await waitForHealth(url);
  await runLoad({ origin: url, path: '/v1/chat/completions', body, concurrency: 16, requests: 3000 });
  gateways.push({ name, url, body, child, cpu: [] });
}
for (let round = 0; round < ROUNDS; round++) {
  // Order alternates so that a machine speeding up or slowing down within a round favours no one.
  for (const g of round % 2 === 0 ? gateways : [...gateways].reverse()) {
    const before = await cpuMs(g.child.pid);
    await runLoad({ origin: g.url, path: '/v1/chat/completions', body: g.body, concurrency: 16, requests: N });
    g.cpu.push((((await cpuMs(g.child.pid)) - before) * 1000) / N);
  }
}
// onAsk compares with offAsk (both get the usage chunk from the upstream), the others with off.
const ratioTo = (g) => {
  const base = gateways.find((other) => other.name === (g.name === 'onAsk' ? 'offAsk' : 'off'));
  if (!base || base === g) return '';
  return `${base.name} +${((median(g.cpu.map((x, i) => x / base.cpu[i])) - 1) * 100).toFixed(1)} % (median of per-round ratios)`;
};
for (const g of gateways) {
  const m = median(g.cpu);
  console.log(g.name.padEnd(8), m.toFixed(0).padStart(5), 'µs/req', ratioTo(g), g.cpu.map((x) => x.toFixed(0)).join(' '));
  g.child.kill();
}
mock.kill();
if (process.env.PROF) {
  await new Promise((r) => setTimeout(r, 2000));
  const { readdir, readFile } = await import('node:fs/promises');
  const selfTimes = async (dir) => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
    const profile = JSON.parse(await readFile(path.join(dir, files.at(-1)), 'utf8'));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    profile.samples.forEach((id, i) => {
      const n = nodes.get(id);
      const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${n.callFrame.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    return self;
  };
  const a = await selfTimes('/tmp/prof/off');
  const b = await selfTimes('/tmp/prof/on');
  const total = (m) => [...m].filter(([k]) => !/^\((idle|program)\)/.test(k)).reduce((s, [, v]) => s + v, 0);
  console.log('total off', total(a), 'on', total(b));
  const keys = new Set([...a.keys(), ...b.keys()]);
  const diffs = [...keys].map((k) => [k, (b.get(k) ?? 0) - (a.get(k) ?? 0)]).sort((x, y) => y[1] - x[1]);
  for (const [k, d] of diffs.slice(0, 45)) console.log(String(Math.round(d / 1000)).padStart(7), 'ms', k);
}
