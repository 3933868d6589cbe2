import { fileURLToPath } from 'node:url';

/** The repository root, from this file's compiled place (dist/test/compat/helpers/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Client scripts that are not compiled (Python, Go) live beside the test sources. */
export const CLIENTS_DIR = `${REPO_ROOT}test/compat/clients`;
export const GO_DIR = `${REPO_ROOT}test/compat/go`;
export const PHP_DIR = `${REPO_ROOT}test/compat/php`;
