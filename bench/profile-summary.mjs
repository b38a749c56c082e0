// Summarises a V8 .cpuprofile: where the gateway's own CPU time goes, by package and by function.
// Native frames (syscalls, C++ builtins) are charged to the nearest JavaScript caller.
import { readFile } from 'node:fs/promises';

const SKIP = new Set(['(idle)', '(program)', '(garbage collector)']);

function packageOf(url) {
  if (url.includes('node_modules/')) return url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1');
  if (url.includes('/dist/')) return `gateway:${url.replace(/.*\/dist\//, '').split('/')[0]}`;
  if (url.startsWith('node:')) return 'node';
  return url === '' ? 'native' : 'other';
}

const label = (frame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`;

export async function summarizeProfile(file, top = 25) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const selfTime = new Map();
  profile.samples.forEach((id, index) => {
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byPackage = new Map();
  const byFunction = new Map();
  let total = 0;
  let gc = 0;
  for (const [id, micros] of selfTime) {
    const node = nodes.get(id);
    if (node.callFrame.functionName === '(garbage collector)') gc += micros;
    if (SKIP.has(node.callFrame.functionName)) continue;
    total += micros;
    let owner = node;
    for (let parent = parents.get(id); !owner.callFrame.url && parent !== undefined; parent = parents.get(parent)) owner = nodes.get(parent);
    const pkg = node.callFrame.url ? packageOf(node.callFrame.url) : `native <- ${packageOf(owner.callFrame.url)}`;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    const name = node.callFrame.url ? label(node.callFrame) : `${node.callFrame.functionName} <- ${label(owner.callFrame)}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }
  const share = (micros) => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`busy ${(total / 1000).toFixed(0)} ms (+ GC ${(gc / 1000).toFixed(0)} ms)`, 'by package:'];
  for (const [name, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) lines.push(`  ${share(micros)}  ${name}`);
  lines.push('by function (self time):');
  for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${share(micros)}  ${name}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.argv[2]) {
    console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  console.log(await summarizeProfile(process.argv[2], Number(process.argv[3] ?? 25)));
}
