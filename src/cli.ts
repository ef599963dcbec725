#!/usr/bin/env node
import { main } from './cli/main.js';

// exit explicitly: a client library holding a socket open must not keep a finished CLI alive.
process.exit(await main(process.argv.slice(2)));
