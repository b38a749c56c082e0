import { fork, spawn } from 'node:child_process';
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { runLoad } from './load.mjs';
const here = new URL('.', import.meta.url).pathname;
const mock = fork(here + 'mock-upstream.mjs', [], { stdio: ['ignore','ignore','inherit','ipc'] });
const mport = await new Promise((r) => mock.once('message', (m) => r(m.port)));
const dir = '/tmp/prof';
const port = 4123;
const poolExtra = {};
if (process.env.POOL) { writeFileSync(dir + '/pools.json', JSON.stringify({ 'openai-custom': Array.from({ length: Number(process.env.POOL) }, (_, i) => ({ uuid: 'b-' + i, OPENAI_API_KEY: 'b', OPENAI_BASE_URL: `http://127.0.0.1:${mport}/v1` })) })); poolExtra.PROVIDER_POOLS_FILE_PATH = dir + '/pools.json'; }
writeFileSync(dir + '/config.json', JSON.stringify({ ...poolExtra, SERVER_PORT: port, OPENAI_API_KEY: 'b', OPENAI_BASE_URL: `http://127.0.0.1:${mport}/v1`, CLAUDE_API_KEY: 'b', CLAUDE_BASE_URL: `http://127.0.0.1:${mport}` }));
const extra = (process.env.GW_FLAGS ?? '').split(' ').filter(Boolean);
const gw = spawn(process.execPath, [...extra, '--cpu-prof', '--cpu-prof-dir', dir, here + '../dist/cli/main.js', '--config', dir + '/config.json'], { cwd: dir, stdio: ['ignore','ignore','inherit'] });
for (let i = 0; i < 100; i++) { try { if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 50)); }
const scenario = process.env.SCEN ?? 'plain';
const body = scenario === 'stream' ? { model: 'gpt-4o-mini@chunks=20', stream: true, messages: [{ role: 'user', content: 'hi' }] } : { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, how are you?' }] };
let path = scenario === 'conv' ? '/openai-custom/v1/messages' : '/v1/chat/completions';
if (scenario === 'convstream') { path = '/openai-custom/v1/messages'; Object.assign(body, { model: 'gpt-4o-mini@chunks=20', stream: true, max_tokens: 100 }); }
if (scenario === 'claude') { path = '/claude-custom/v1/messages'; Object.assign(body, { model: 'claude-sonnet-4-5@chunks=200', stream: true, max_tokens: 100 }); }
if (scenario === 'conv') Object.assign(body, { max_tokens: 100 });
const r = await runLoad({ origin: `http://127.0.0.1:${port}`, path, body, concurrency: Number(process.env.C ?? 16), requests: Number(process.env.N ?? 20000) });
console.log('rps', r.requestsPerSecond.toFixed(0), 'fail', r.failures);
gw.kill('SIGTERM'); await new Promise((r) => gw.once('exit', r)); mock.kill();
const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
const prof = JSON.parse(readFileSync(dir + '/' + file, 'utf8'));
const self = new Map(); const dt = prof.timeDeltas; const idToNode = new Map(prof.nodes.map((n) => [n.id, n]));
const counts = new Map(); prof.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
let total = 0;
for (const [id, t] of counts) { const n = idToNode.get(id); const cf = n.callFrame; const key = `${cf.functionName || '(anon)'} ${cf.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/dist\//, 'dist/')}:${cf.lineNumber}`; self.set(key, (self.get(key) ?? 0) + t); total += t; }
const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
console.log('total ms', (total/1000).toFixed(0), 'non-idle', ((total-idle)/1000).toFixed(0));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 45))) console.log((v/ (total-idle) * 100).toFixed(1).padStart(5) + '%', k);
