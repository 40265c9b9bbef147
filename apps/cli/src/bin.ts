#!/usr/bin/env node
import { main } from './main.js';

const code = await main(process.argv.slice(2));
// Exit now: native thread pools (onnxruntime, libvips) must not keep the process alive.
process.exit(code);
