/**
 * The bare `node:http` reference server, run as its own process: it answers every request with a small JSON body
 * the size of a limbic state, so `bench http` can report the progeny server as a ratio of what node itself does on
 * this machine in the same run. Sends its port over IPC once listening.
 */
import { createServer } from 'node:http';

const body = JSON.stringify({
  trust: 0.5,
  warmth: 0.5,
  arousal: 0.3,
  valence: 0.1,
  posture: 'COMPANION',
  elastic: false,
  interactionCount: 0,
  lastInteractionAt: null,
  updatedAt: Date.now(),
  slumber: false,
  crisis: false,
  tier: 'ACQUAINTANCE',
  version: 1,
});

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
