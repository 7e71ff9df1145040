/**
 * /mcp: the MCP server over Streamable HTTP (docs/mcp.md), behind the same bearer tokens as every route. The route
 * itself needs no capability: each tool and resource checks its own, for the token of the request that calls it. The
 * MCP SDK is imported on the first request, so a server nobody reaches over MCP never loads it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { McpHttp } from '../../mcp/http.js';
import { principalOf } from '../auth.js';
import type { RouteModule } from '../context.js';

export const mcpRoutes: RouteModule = (app, ctx) => {
  let mcp: Promise<McpHttp> | undefined;
  const load = (): Promise<McpHttp> =>
    (mcp ??= import('../../mcp/http.js').then((m) =>
      m.createMcpHttp({
        engine: ctx.engine,
        version: ctx.version,
        turns: ctx.turns,
        log: (message) => app.log.error(message),
      }),
    ));
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = principalOf(req);
    const http = await load();
    // The SDK's transport writes the response itself (JSON, or an SSE stream for GET); `config.hijacks` has the server
    // record it in the metrics when it finishes.
    reply.hijack();
    await http.handle(req.raw, reply.raw, req.body, principal, (cap) => ctx.recheck(req, cap));
  };
  for (const method of ['POST', 'GET', 'DELETE'] as const)
    app.route({ method, url: '/mcp', config: { hijacks: true }, handler });
  ctx.closers.push(async () => {
    if (mcp) await (await mcp).close();
  });
};
