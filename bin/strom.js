#!/usr/bin/env -S node --initial-old-space-size=64
// The `strom` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
// The flags on the first line are src/cli/server-node-flags.ts's (why, there); `npm start` passes
// the same, and a test keeps the three in step.
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
