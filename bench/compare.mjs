// `node bench/compare.mjs BUILD [BUILD ...]`: the gateway's own CPU time per request for two or more
// builds (or configurations) side by side, for judging one change at a time. A BUILD is a dist folder
// (copy `dist` away before a change, rebuild after), optionally with config.json keys as JSON after
// `@`; `"POOL": n` makes a pools file of n instances:
//   node bench/compare.mjs /tmp/dist-before dist
//   node bench/compare.mjs 'dist@{"POOL":3}' 'dist@{"POOL":10000}'
// Each build runs as its own process against one instant mock upstream on 127.0.0.1; the rounds
// alternate between builds so machine noise hits all alike. Environment: SCENARIOS (comma list of
// json,stream,conversion,conversion-stream), REQUESTS per round (4000), CONCURRENCY (16), ROUNDS (3).
import { fork, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './load.mjs';
import { cpuMs, waitForHealth, writeGatewayConfig } from './processes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const specs = process.argv.slice(2);
if (specs.length === 0) {
  console.error('usage: node bench/compare.mjs BUILD [BUILD ...]   (BUILD: a dist folder, optionally @{"CONFIG_KEY":value})');
  process.exit(2);
}
const requests = Number(process.env.REQUESTS ?? 4000);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const rounds = Number(process.env.ROUNDS ?? 3);

const SCENARIOS = {
  json: { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, how are you?' }] } },
  stream: { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini@chunks=20', stream: true, messages: [{ role: 'user', content: 'Hi' }] } },
  conversion: { path: '/openai-custom/v1/messages', body: { model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] } },
  'conversion-stream': {
    path: '/openai-custom/v1/messages',
    body: { model: 'gpt-4o-mini@chunks=20', stream: true, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] },
  },
};
const chosen = process.env.SCENARIOS ? process.env.SCENARIOS.split(',') : Object.keys(SCENARIOS);

async function startBuild(spec, upstream) {
  const [dist, json] = spec.split('@');
  const { dir, configPath, url } = await writeGatewayConfig(upstream, json ? JSON.parse(json) : {});
  const child = spawn(process.execPath, [path.resolve(dist, 'cli', 'main.js'), '--config', configPath], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForHealth(url);
  return { spec, url, child };
}

const mock = fork(path.join(here, 'mock-upstream.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const upstream = `http://127.0.0.1:${await new Promise((resolve) => mock.once('message', (message) => resolve(message.port)))}`;
const builds = [];
try {
  for (const spec of specs) builds.push(await startBuild(spec, upstream));
  for (const name of chosen) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario ${name}`);
    const totals = builds.map(() => ({ cpuMs: 0, requests: 0, rps: [] }));
    for (const build of builds) await runLoad({ origin: build.url, ...scenario, concurrency, requests: 500 });
    for (let round = 0; round < rounds; round += 1) {
      for (const [index, build] of builds.entries()) {
        const before = await cpuMs(build.child.pid);
        const run = await runLoad({ origin: build.url, ...scenario, concurrency, requests });
        totals[index].cpuMs += (await cpuMs(build.child.pid)) - before;
        totals[index].requests += run.latencies.length;
        totals[index].rps.push(run.requestsPerSecond);
      }
    }
    const cells = builds.map((build, index) => {
      const { cpuMs: used, requests: done, rps } = totals[index];
      return `${build.spec}: ${((used * 1000) / done).toFixed(0)} µs/req (req/s ${rps.map((value) => value.toFixed(0)).join(' / ')})`;
    });
    console.log(`${name.padEnd(18)} ${cells.join('  |  ')}`);
  }
} finally {
  for (const build of builds) build.child.kill();
  mock.kill();
}
