// Writes NAME.gz beside every text file of the build (dist/), at the best
// compression: guichetd sends it to clients that accept gzip.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const TEXT = /\.(html|js|mjs|css|svg|json|txt|webmanifest)$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (TEXT.test(name))
      writeFileSync(path + '.gz', gzipSync(readFileSync(path), { level: constants.Z_BEST_COMPRESSION }));
  }
}

walk(process.argv[2] || 'dist');
