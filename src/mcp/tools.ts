/** The tools `progeny mcp` and `/mcp` offer, in the order a client lists them (docs/mcp.md). */
import type { McpTool } from './tool.js';
import { chat, heritageGet, stateGet } from './tools-companion.js';
import { memoryAdd, memoryForget, memorySearch } from './tools-memory.js';

export const TOOLS: readonly McpTool[] = [memorySearch, memoryAdd, memoryForget, stateGet, heritageGet, chat];
