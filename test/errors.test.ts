// Every error code weft declares is unique (defineErrors refuses a second declaration) and is
// documented in docs/errors.md; every documented code exists. Codes are read from the catalogue
// after importing the kernel and loading every built-in plugin, so new plugins are covered too.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, errorCatalog, isPluginDefinition } from '../kernel/index.js';
import { builtins } from '../plugins/builtins.js';

const documented = () => {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  return [...text.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]!);
};
// Tests declare throw-away codes under TEST_; they are not part of weft.
const declared = () => [...errorCatalog().keys()].filter((code) => !code.startsWith('TEST_'));

const errors = suite('errors: catalogue');

errors('every built-in plugin loads and exports a plugin', async () => {
  for (const [name, load] of Object.entries(builtins)) {
    assert.ok(isPluginDefinition((await load()).default), name);
  }
});

errors('every declared code has a description and is listed in docs/errors.md', () => {
  const docs = new Set(documented());
  const codes = declared();
  assert.ok(codes.includes(KernelErrors.PLUGIN_CYCLE));
  for (const code of codes) {
    assert.ok(errorCatalog().get(code)!.length > 0, `${code} has no description`);
    assert.ok(docs.has(code), `${code} is not documented in docs/errors.md`);
  }
});

errors('every code in docs/errors.md exists, once', () => {
  const codes = new Set(declared());
  const rows = documented();
  assert.is(new Set(rows).size, rows.length, 'a code is listed twice');
  for (const code of rows) assert.ok(codes.has(code), `docs/errors.md lists ${code}, which nothing declares`);
});

errors.run();
