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
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './load.mjs';

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

async function cpuMs(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startBuild(spec, upstream) {
  const [dist, json] = spec.split('@');
  const extra = json ? JSON.parse(json) : {};
  const dir = await mkdtemp(path.join(tmpdir(), 'aiclient2api-compare-'));
  if (extra.POOL) {
    const instances = Array.from({ length: extra.POOL }, (_, index) => ({ uuid: `bench-${index}`, OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: `${upstream}/v1` }));
    await writeFile(path.join(dir, 'provider_pools.json'), JSON.stringify({ 'openai-custom': instances }));
    extra.PROVIDER_POOLS_FILE_PATH = path.join(dir, 'provider_pools.json');
    delete extra.POOL;
  }
  const config = { HOST: '127.0.0.1', SERVER_PORT: await freePort(), OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: `${upstream}/v1`, CLAUDE_API_KEY: 'bench', CLAUDE_BASE_URL: upstream, ...extra };
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  const child = spawn(process.execPath, [path.resolve(dist, 'cli', 'main.js'), '--config', path.join(dir, 'config.json')], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${config.SERVER_PORT}`;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { spec, url, child };
    } catch { /* not up yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${spec} did not start`);
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
