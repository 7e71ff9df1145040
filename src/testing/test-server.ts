/** Test support: an initialised engine in a temp home and a server on it (not listening; use app.inject). */
import type { FastifyInstance } from 'fastify';
import { mergeConfig, type PartialConfig } from '../core/config/load.js';
import { createEngine } from '../core/engine/create.js';
import type { LocalEngine } from '../core/engine/local-engine.js';
import { initializeHome } from '../core/engine/init.js';
import { createServer, type ServerOptions } from '../server/create.js';
import { tempHome } from './temp-home.js';

export const OWNER_TOKEN = 'owner-token-for-tests-0123456789abcdef';

export interface TestServer {
  app: FastifyInstance;
  engine: LocalEngine;
  auth: { authorization: string };
  close(): Promise<void>;
}

/**
 * Offline by default (no model); pass llm.provider/llm.url flags to use the LLM test double. The hash embedder by
 * default: these tests are about the protocol, and a model loading in a worker would race their timings (the semantic
 * embedder has its own tests, and the end-to-end tests run `progeny serve` with it).
 */
export async function startTestServer(
  flags: PartialConfig = {},
  opts: ServerOptions | ((engine: LocalEngine) => ServerOptions) = {},
): Promise<TestServer> {
  const home = tempHome('progeny-server-');
  const { config } = mergeConfig({ flags: { 'llm.provider': 'offline', 'embedder.kind': 'hash', ...flags } });
  const engine = await createEngine({ paths: home.paths, config });
  initializeHome(engine);
  const app = await createServer(engine, { token: OWNER_TOKEN, ...(typeof opts === 'function' ? opts(engine) : opts) });
  await app.ready();
  return {
    app,
    engine,
    auth: { authorization: `Bearer ${OWNER_TOKEN}` },
    async close() {
      await app.close();
      await engine.close();
      home.cleanup();
    },
  };
}
