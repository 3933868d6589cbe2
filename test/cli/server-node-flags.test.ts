import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SERVER_NODE_FLAGS } from '../../src/cli/server-node-flags.js';
import { REPO_ROOT } from '../compat/helpers/repo-root.js';

test('the strom command and npm start run node with the server flags', () => {
  const shebang = readFileSync(join(REPO_ROOT, 'bin/strom.js'), 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  assert.equal(pkg.scripts.start, `node ${SERVER_NODE_FLAGS.join(' ')} bin/strom.js server`);
});
