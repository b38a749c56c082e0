#!/usr/bin/env node
// The entry point stays tiny so the start-up memory settings below apply before any module loads.
import { preferAtomicMarking } from './gc-policy.js';
import { holdMemoryDuringStartup } from './startup-memory.js';

preferAtomicMarking();
const release = holdMemoryDuringStartup();
const { runCommand } = await import('./run-command.js');
await runCommand(process.argv.slice(2), release);
