#!/usr/bin/env -S node --initial-old-space-size=64
// The `strom` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
// --initial-old-space-size: V8 sizes a small heap's first collection limits from its live size
// (about 12 MB for a broker), so a broker under load ran a full mark-compact every 50-100 ms;
// starting from 64 MB it runs cheap scavenges instead. `npm start` passes the same flag.
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
