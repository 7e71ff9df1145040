#!/usr/bin/env node
// Tiny shim: the CLI is compiled to dist/ so start-up never goes through a TypeScript loader.
import { main } from '../dist/main.js';

main(process.argv);
