import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WeftError, maskUrl } from '../../../kernel/index.js';
import { storeFailure } from '../../../plugins/store-sql/database.js';

const mask = suite('store URLs: masking passwords');

mask('the password, and only the password, is masked', () => {
  assert.is(maskUrl('postgres://u:secret@127.0.0.1:6543/x'), 'postgres://u:***@127.0.0.1:6543/x');
  assert.is(maskUrl('postgresql://admin:p@ss:w/rd@db.example:5432/app?sslmode=require'), 'postgresql://admin:***@db.example:5432/app?sslmode=require');
  assert.is(maskUrl('postgres://u@host/db'), 'postgres://u@host/db');
  assert.is(maskUrl('postgres://host:5432/db'), 'postgres://host:5432/db');
  assert.is(maskUrl('redis://:secret@127.0.0.1:6390'), 'redis://:***@127.0.0.1:6390');
  assert.is(maskUrl('redis://user:p@ss:w@rd@host:6379/2'), 'redis://user:***@host:6379/2');
  assert.is(maskUrl('rediss://user@host:6380'), 'rediss://user@host:6380');
});

mask('a password in the query string is masked too', () => {
  assert.is(maskUrl('postgres://127.0.0.1:5439/x?user=postgres&password=s3cret'), 'postgres://127.0.0.1:5439/x?user=postgres&password=***');
  assert.is(maskUrl('postgres://h/x?PASSWORD=a&sslmode=require&pass=b#f'), 'postgres://h/x?PASSWORD=***&sslmode=require&pass=***#f');
  assert.is(maskUrl('postgres://h/x?passwords_are=fine'), 'postgres://h/x?passwords_are=fine');
});

mask.run();

const failures = suite('store-sql: driver failures as store errors');

const wrapped = (code: string, message = 'driver says no') => Object.assign(new Error('Failed query: insert … params: secret'), { cause: Object.assign(new Error(message), { code }) });

failures('duplicate keys conflict; refused values are invalid; both keep the driver’s message, not the query', () => {
  const conflict = storeFailure(wrapped('23505', 'duplicate key'), 'db', 'Cannot append') as WeftError;
  assert.is(conflict.code, 'STORE_CONFLICT');
  assert.is(conflict.message, 'Cannot append: duplicate key');
  assert.is((storeFailure(wrapped('22P02'), 'db', 'x') as WeftError).code, 'STORE_INVALID');
  assert.is((storeFailure(wrapped('23502'), 'db', 'x') as WeftError).code, 'STORE_INVALID');
});

failures('an unreachable or refusing server is unavailable, naming where', () => {
  for (const code of ['ECONNREFUSED', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', '08006', '57P01', '28P01', '3D000', '53300']) {
    const error = storeFailure(Object.assign(new Error(`down ${code}`), { code }), 'postgres://u:***@h/x', 'connecting') as WeftError;
    assert.is(error.code, 'STORE_UNAVAILABLE', code);
    assert.is(error.message, `The database at postgres://u:***@h/x is not available (connecting): down ${code}`);
    assert.equal(error.data, { where: 'postgres://u:***@h/x' });
  }
});

failures('store errors and unknown failures pass through unchanged', () => {
  const own = new WeftError('STORE_CORRUPT', 'x');
  assert.is(storeFailure(own, 'db', 'x'), own);
  const unknown = wrapped('42P01');
  assert.is(storeFailure(unknown, 'db', 'x'), unknown);
  const plain = new TypeError('Do not know how to serialize a BigInt');
  assert.is(storeFailure(plain, 'db', 'x'), plain);
  assert.is(storeFailure('text', 'db', 'x'), 'text');
});

failures.run();
