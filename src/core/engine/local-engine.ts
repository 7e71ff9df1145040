/**
 * The engine with its storage handles, for this repository's front ends (doctor's integrity check, sync, the relay,
 * the server's metrics). Not part of the library's types: a program that embeds progeny never needs SQLite's types.
 */
import type { Db } from '../store/db.js';
import type { Journal } from '../sync/journal.js';
import type { Engine } from './engine.js';

export interface LocalEngine extends Engine {
  readonly db: Db;
  readonly journal: Journal;
}
