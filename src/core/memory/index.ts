/** The memory module's public surface. */
export type { MemoryApi, ListQuery, Page, EditPatch, ImportReport, DreamReport, ProgressFn } from './api.js';
export type { DreamOptions } from './dream.js';
export type { Summariser } from './dream-summary.js';
export * from './types.js';
export { createBuiltinEmbedder, embedBuiltin, tokenize, BUILTIN_DIMENSIONS } from './embedder-builtin.js';
export { createCachedEmbedder, type CachedEmbedder } from './embedder-cached.js';
export { createProviderEmbedder, type EmbedFn } from './embedder-provider.js';
export { createEmbeddedStore, type EmbeddedStore, type EmbeddedStoreDeps } from './store-embedded.js';
export { createMemoryService, type MemoryServiceDeps } from './service.js';
export { freshness, mmr, scoreParts, WEIGHTS } from './scoring.js';
