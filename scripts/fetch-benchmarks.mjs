#!/usr/bin/env node
// Fetches the benchmark data (FCNet tables, YAHPO LCBench surrogate) from their public sources, checks SHA-256,
// converts, and writes it to bench/data: see bench/fetch/main.ts. Usage: node scripts/fetch-benchmarks.mjs [--out DIR] [--from DIR] [--list]
import { register } from 'tsx/esm/api';

register();
await import('../bench/fetch/main.ts');
