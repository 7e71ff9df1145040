/**
 * A TEST RELAY: the sync relay plugin on a bare fastify instance, for end-to-end tests until `progeny serve` carries
 * it. Listens on 127.0.0.1 (port 0 = any free port) and prints one JSON line {"url": …} when ready.
 * Usage: tsx src/testing/relay-server.ts <relay.db path> [port]
 */
import Fastify from 'fastify';
import { createRelayPlugin } from '../server/relay/plugin.js';
import { openRelayStore } from '../server/relay/store.js';

const [dbPath, port = '0'] = process.argv.slice(2);
if (!dbPath) {
  process.stderr.write('usage: relay-server <relay.db> [port]\n');
  process.exit(2);
}
const store = openRelayStore(dbPath);
const app = Fastify();
await app.register(createRelayPlugin({ store }));
const address = await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write(`${JSON.stringify({ url: address })}\n`);
const stop = (): void => {
  void app.close().then(() => {
    store.close();
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
