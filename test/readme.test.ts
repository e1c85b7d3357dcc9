// The README's plugin example is a real file (test/fixtures/hello-plugin.ts) booted by
// test/kernel/testing.test.ts; this keeps the README's copy identical to it.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const readme = suite('readme');

readme('the plugin example in README.md is test/fixtures/hello-plugin.ts, verbatim', () => {
  const example = read('test/fixtures/hello-plugin.ts');
  assert.ok(read('README.md').includes('```ts\n' + example + '```'), 'README.md must contain test/fixtures/hello-plugin.ts in a ```ts block');
});

readme.run();
