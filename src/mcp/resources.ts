/**
 * The MCP resources: the heritage document (who the companion is, whole) and the most recent memories. Each needs
 * the capability its HTTP route needs (docs/api.md): the heritage `chat`, memories `memory:read`.
 */
import { ErrorCode, type ReadResourceResult, type Resource } from '@modelcontextprotocol/sdk/types.js';
import type { Capability } from '../core/devices/service.js';
import type { Engine } from '../core/engine/engine.js';
import { protocolError } from './protocol-error.js';
import { hasCapability, memoryView, type McpPrincipal } from './tool.js';

export const RECENT_MEMORIES = 50;
/** MCP's code for a resource URI the server does not have. */
const RESOURCE_NOT_FOUND = -32002;

interface ResourceDef extends Resource {
  capability: Capability;
  read(engine: Engine): unknown;
}

const RESOURCES: ResourceDef[] = [
  {
    uri: 'progeny://heritage',
    name: 'heritage',
    title: 'The heritage document',
    description:
      'Who the companion is: the current version of its heritage (name, creator, directive, traits, values, voice, boundaries).',
    mimeType: 'application/json',
    capability: 'chat',
    read: (engine) => {
      const h = engine.heritage.current();
      return { version: h.version, createdAt: new Date(h.createdAt).toISOString(), doc: h.doc };
    },
  },
  {
    uri: 'progeny://memories/recent',
    name: 'recent-memories',
    title: 'Recent memories',
    description: `The ${RECENT_MEMORIES} most recent active memories, newest first.`,
    mimeType: 'application/json',
    capability: 'memory:read',
    read: (engine) => ({
      memories: engine.memory.list({ limit: RECENT_MEMORIES, status: 'active', order: 'desc' }).items.map(memoryView),
    }),
  },
];

export function resourcesFor(p: McpPrincipal): Resource[] {
  return RESOURCES.filter((r) => hasCapability(p, r.capability)).map(({ capability: _c, read: _r, ...r }) => r);
}

export function readResource(engine: Engine, p: McpPrincipal, uri: string): ReadResourceResult {
  const r = RESOURCES.find((x) => x.uri === uri);
  if (!r)
    throw protocolError(
      RESOURCE_NOT_FOUND,
      `no resource ${uri}; the resources are ${RESOURCES.map((x) => x.uri).join(', ')}`,
    );
  if (!hasCapability(p, r.capability))
    throw protocolError(
      ErrorCode.InvalidRequest,
      `token "${p.name}" lacks the ${r.capability} capability needed to read ${uri}`,
    );
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(r.read(engine)) }] };
}
