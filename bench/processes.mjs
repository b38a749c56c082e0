// Helpers the benchmark scripts share: ports, gateway config files, readiness, and /proc readings.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A config.json (and, with `POOL: n`, a pools file of n instances) in a fresh temp folder, every backend
 * pointed at the mock. `extra` holds further config.json keys. Returns the folder, file and port.
 */
export async function writeGatewayConfig(upstreamUrl, extra = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'aiclient2api-bench-'));
  // POOL_INSTANCE: keys every pool instance gets (e.g. concurrencyLimit).
  const { POOL: poolSize = 0, POOL_INSTANCE: instanceKeys = {}, ...keys } = extra;
  const port = await freePort();
  const config = {
    HOST: '127.0.0.1',
    SERVER_PORT: port,
    MODEL_PROVIDER: 'openai-custom',
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    CLAUDE_API_KEY: 'bench',
    CLAUDE_BASE_URL: upstreamUrl,
    LOG_LEVEL: 'info',
    ...keys,
  };
  if (poolSize > 0) {
    // Every instance points at the same mock: what differs is only the selection work.
    const instances = Array.from({ length: poolSize }, (_, index) => ({
      uuid: `bench-${index}`,
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: `${upstreamUrl}/v1`,
      ...instanceKeys,
    }));
    await writeFile(path.join(dir, 'provider_pools.json'), JSON.stringify({ 'openai-custom': instances }));
    config.PROVIDER_POOLS_FILE_PATH = path.join(dir, 'provider_pools.json');
  }
  const configPath = path.join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  return { dir, configPath, url: `http://127.0.0.1:${port}` };
}

export async function waitForHealth(url) {
  // Up to a minute: a loaded machine can take that long to start a Node process.
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gateway did not start at ${url}`);
}

/**
 * CPU time (ms) a process has used: the server's own cost per request, whatever the load generator
 * manages. Summed over its threads from schedstat (nanoseconds; /proc/PID/stat counts 10 ms ticks,
 * too coarse for the short rounds that keep machine drift out of small differences).
 */
export async function cpuMs(pid) {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    let nanoseconds = 0;
    for (const task of tasks) {
      try {
        nanoseconds += Number((await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8')).split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    if (nanoseconds > 0) return nanoseconds / 1e6;
  } catch {
    // No schedstat (kernel without CONFIG_SCHEDSTATS): fall back to the tick counts.
  }
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export async function rssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}
