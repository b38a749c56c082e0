import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { sendError } from '../server/send-error.js';
import { parseRecentQuery, parseUsageQuery } from './usage-query-params.js';
import { usageRowsToCsv } from './usage-csv.js';
import { recordJson } from './usage-record.js';
import type { UsageRecorder } from './usage-recorder.js';

export interface UsageRoutesOptions {
  readonly recorder: UsageRecorder;
  readonly authenticate: (request: FastifyRequest) => void;
}

const HEARTBEAT_MS = 15_000;

/** Admin API over the usage store: aggregates, the latest records, and a live stream of new ones. */
export const usageRoutes: FastifyPluginAsync<UsageRoutesOptions> = async (app, { recorder, authenticate }) => {
  app.setErrorHandler((error, _request, reply) => sendError(reply, 'openai-chat', error));
  app.addHook('onRequest', async (request) => authenticate(request));
  const open = new Set<ServerResponse>();

  app.get('/api/usage', async (request, reply) => {
    const query = parseUsageQuery(request.query as Record<string, unknown>, Date.now());
    await recorder.flush();
    const rows = await recorder.store.aggregate(query);
    const from = new Date(query.from).toISOString();
    const to = new Date(query.to).toISOString();
    if (query.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="usage-${from.slice(0, 10)}-${to.slice(0, 10)}.csv"`)
        .send(usageRowsToCsv(rows, query.groupBy));
    }
    return { from, to, groupBy: query.groupBy, rows };
  });

  app.get('/api/requests', async (request) => {
    const query = parseRecentQuery(request.query as Record<string, unknown>);
    await recorder.flush();
    const records = await recorder.store.recent(query);
    return { requests: records.map(recordJson) };
  });

  app.get('/api/requests/stream', async (_request, reply) => {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(': connected\n\n');
    const unsubscribe = recorder.subscribe((record) => {
      if (!response.destroyed) response.write(`id: ${record.requestId}\ndata: ${JSON.stringify(recordJson(record))}\n\n`);
    });
    const heartbeat = setInterval(() => {
      if (!response.destroyed) response.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    open.add(response);
    response.once('close', () => {
      open.delete(response);
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  // Live streams never end on their own: end them when the server shuts down.
  app.addHook('preClose', (done) => {
    for (const response of open) response.end();
    done();
  });
};
