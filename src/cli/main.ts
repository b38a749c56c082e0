#!/usr/bin/env node
// The entry point stays tiny so the start-up memory settings below apply before any module loads.
import { holdMemoryDuringStartup } from './startup-memory.js';

const release = holdMemoryDuringStartup();
const { runCommand } = await import('./run-command.js');
await runCommand(process.argv.slice(2), release);
