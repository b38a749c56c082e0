#!/usr/bin/env node
// The entry point stays tiny so the start-up memory setting below applies before any module loads.
import { holdYoungGenerationDuringStartup } from './startup-memory.js';

const release = holdYoungGenerationDuringStartup();
const { runCommand } = await import('./run-command.js');
await runCommand(process.argv.slice(2), release);
