// The plugin boundary rule: a file under plugins/<name>/ imports only '#kernel', node builtins,
// npm packages, and files inside plugins/<name>/. `plugins/builtins.ts` is the composition root
// and may import every plugin's index. Exit 1 with one line per violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s+['"]([^'"]+)['"]/g;

/** Lists boundary violations under `pluginsDir`. */
export function findViolations(pluginsDir) {
  const problems = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const file = join(dir, entry);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(ts|mts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) check(file);
    }
  };
  const check = (file) => {
    const rel = relative(pluginsDir, file);
    if (rel === 'builtins.ts') return;
    const own = rel.split(sep)[0];
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec === '#kernel' || spec.startsWith('node:')) continue;
      if (spec.startsWith('#')) { problems.push(`${join('plugins', rel)}: imports ${spec}; plugins may import only '#kernel'`); continue; }
      if (!spec.startsWith('.') && !spec.startsWith('/')) continue; // an npm package
      const target = relative(pluginsDir, resolve(dirname(file), spec));
      if (target.startsWith('..') || target.split(sep)[0] !== own) {
        problems.push(`${join('plugins', rel)}: imports ${spec}; a plugin imports only '#kernel' and files in its own folder`);
      }
    }
  };
  walk(pluginsDir);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../plugins', import.meta.url));
  const problems = findViolations(dir);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`${problems.length} plugin boundary violation(s)`);
    process.exit(1);
  }
}
