import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { baseForms, classifyAction, isWrite, wordsOf } from '../../../plugins/reliability/action-words.js';

const words = suite('reliability: words of an action');

const splits: Array<[string, string[]]> = [
  ['runQuery', ['run', 'query']],
  ['run_query', ['run', 'query']],
  ['delete-file', ['delete', 'file']],
  ['HTTPRequest', ['http', 'request']],
  ['getHTTPResponse', ['get', 'http', 'response']],
  ['s3Upload v2', ['s', '3', 'upload', 'v', '2']],
  ['  Update the DB!  ', ['update', 'the', 'db']],
  ['', []],
];
for (const [text, expected] of splits) words(`"${text}" splits into ${expected.join(' ') || 'nothing'}`, () => assert.equal(wordsOf(text), expected));

words('inflections reach the verb; agent nouns and short words do not', () => {
  assert.ok(baseForms('deletes').includes('delete'));
  assert.ok(baseForms('created').includes('create'));
  assert.ok(baseForms('running').includes('run'));
  assert.ok(baseForms('dropped').includes('drop'));
  assert.ok(baseForms('pushes').includes('push'));
  assert.equal(baseForms('runner'), ['runner']);
  assert.equal(baseForms('used'), ['used']);
  assert.equal(baseForms('bus'), ['bus']);
});

const cls = suite('reliability: is it a write?');
// [action, tool, kind, deciding word]
const cases: Array<[string, string | undefined, 'write' | 'read' | 'unknown', string | undefined]> = [
  ['truncate_table', undefined, 'unknown', undefined], // contains "run", is not "run"
  ['trunk_status', undefined, 'unknown', undefined], // contains "run", is not "run"
  ['get_runner_status', undefined, 'read', 'get'], // "runner" is not "run"
  ['rerun', undefined, 'write', 'rerun'], // listed itself; "run" is never found inside a word
  ['prune_cache', undefined, 'unknown', undefined],
  ['output', undefined, 'unknown', undefined], // "put" inside
  ['get_settings', undefined, 'read', 'get'], // "set" is not a write word
  ['runQuery', undefined, 'write', 'run'],
  ['run_query', undefined, 'write', 'run'],
  ['delete-file', undefined, 'write', 'delete'],
  ['DeleteFile', undefined, 'write', 'delete'],
  ['UPDATE', undefined, 'write', 'update'],
  ['sending the report', undefined, 'write', 'send'],
  ['records were updated', undefined, 'write', 'update'],
  ['search', 'search_and_delete', 'write', 'delete'], // the reference read this as a read
  ['delete records', 'search', 'write', 'delete'], // the reference let the read tool mask it
  ['read header', 'write_file', 'write', 'write'],
  ['look', 'fetch_page', 'read', 'fetch'],
  ['summarise', 'analyseText', 'read', 'analyse'],
  ['list', undefined, 'read', 'list'],
  ['think', undefined, 'unknown', undefined],
  ['think', '', 'unknown', undefined],
];
for (const [action, tool, kind, word] of cases) {
  cls(`${action}${tool === undefined ? '' : ` with ${tool}`}: ${kind}`, () => {
    assert.equal(classifyAction(action, tool), word === undefined ? { kind } : { kind, word });
    assert.is(isWrite(action, tool), kind === 'write');
  });
}

words.run();
cls.run();
