// `node bench/readme-table.mjs [bench/results/latest.json]`: the README's results table (markdown) from
// a benchmark run, so the table is copied from one run rather than typed.
import { readFile } from 'node:fs/promises';

const file = process.argv[2] ?? new URL('./results/latest.json', import.meta.url);
const run = JSON.parse(await readFile(file, 'utf8'));
const int = (value) => Math.round(value).toLocaleString('en-US');
const ms = (value, digits = 2) => (value === null || value === undefined ? '' : value.toFixed(digits));
const rows = ['| scenario | targets | req/s | p50 ms | p99 ms | added p50 / p99 ms | cpu µs/req |', '|---|---|---:|---:|---:|---:|---:|'];
for (const scenario of run.scenarios) {
  if (scenario.skipped) continue;
  const names = Object.keys(scenario.results);
  const results = names.map((name) => scenario.results[name]);
  const [first] = results;
  const others = names.slice(1);
  const cpu = others.map((name) => `${name} ${int(scenario.results[name].cpuUsPerRequest)}`).join(', ');
  const join = (pick) => results.map(pick).join(' / ');
  if (first.chunkDelay.count > 0) {
    rows.push(
      `| ${scenario.name} | ${names.join(' / ')} | | TTFB ${join((r) => ms(r.ttfb.p50))} | chunk delay p99 ${join((r) => ms(r.chunkDelay.p99, 3))} | | ${cpu} |`,
    );
    continue;
  }
  const added = others
    .map((name) => {
      const r = scenario.results[name];
      return `${name} ${ms(r.latency.p50 - first.latency.p50)} / ${ms(r.latency.p99 - first.latency.p99, 1)}`;
    })
    .join(', ');
  rows.push(
    `| ${scenario.name} | ${names.join(' / ')} | ${join((r) => int(r.rps))} | ${join((r) => ms(r.latency.p50))} | ${join((r) => ms(r.latency.p99, 1))} | ${added} | ${cpu} |`,
  );
}
console.log(rows.join('\n'));
