// Builds the console bundle when it is missing or older than its sources; a no-op otherwise, so
// `npm start` can run it every time. `--force` always builds.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const stampFile = path.join(dist, '.sources-hash');

async function inputsHash() {
  const hash = createHash('sha256');
  const files = ['index.html', 'vite.config.mjs', '../package-lock.json'];
  for (const e of await readdir(path.join(here, 'src'), { recursive: true, withFileTypes: true })) {
    if (e.isFile()) files.push(path.relative(here, path.join(e.parentPath, e.name)));
  }
  for (const rel of files.sort()) {
    hash.update(rel);
    hash.update(await readFile(path.join(here, rel)).catch(() => Buffer.alloc(0)));
  }
  return hash.digest('hex');
}

const wanted = await inputsHash();
const current = await readFile(stampFile, 'utf8').catch(() => '');
if (current === wanted && !process.argv.includes('--force')) process.exit(0);

const { build } = await import('vite');
await build({ configFile: path.join(here, 'vite.config.mjs') });
await writeFile(stampFile, wanted);
console.log('console built into console/dist');
