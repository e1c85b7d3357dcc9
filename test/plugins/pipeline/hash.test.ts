import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson, contentHash } from '../../../plugins/pipeline/hash.js';

const hash = suite('pipeline: content hash');

hash('the hash ignores key order and changes with content', () => {
  assert.is(canonicalJson({ b: [1, { d: 1, c: null }], a: 'x' }), '{"a":"x","b":[1,{"c":null,"d":1}]}');
  assert.is(contentHash({ a: 1, b: 2 }), contentHash({ b: 2, a: 1 }));
  assert.is.not(contentHash({ a: 1 }), contentHash({ a: 2 }));
  assert.match(contentHash({}), /^[0-9a-f]{64}$/);
});

hash.run();
