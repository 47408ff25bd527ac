#!/usr/bin/env node
// Runs the TypeScript sources directly (and lets users write scenarios in TypeScript)
// by registering tsx's loader before the CLI is imported.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
