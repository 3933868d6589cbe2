#!/usr/bin/env -S node --initial-old-space-size=64
// The `strom` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare),
// and the command line with everything it imports is bundled into one module, dist/strom-cli.js:
// Node loads one file instead of ~460, which takes about half off the server's start-up.
// The flags on the first line are src/cli/server-node-flags.ts's (why, there); `npm start` passes
// the same, and a test keeps the three in step.
import { main } from '../dist/strom-cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
