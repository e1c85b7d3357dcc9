import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { threadId } from 'node:worker_threads';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, workerFile } from '../../kernel/index.js';
import { createWorkerPool } from '../../kernel/workers.js';
import { createTestKernel } from '../../kernel/testing.js';
import threadProbe, { threadWorker } from '../fixtures/workers/thread-plugin.js';
import { rejectsWith } from '../support/errors.js';
import { tempDir } from '../support/temp.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const workers = suite('workers: pool');

workers('workerFile takes the extension of the calling module', () => {
  assert.is(workerFile('file:///app/plugins/x/index.ts', './hash').href, 'file:///app/plugins/x/hash.ts');
  assert.is(workerFile('file:///app/dist/plugins/x/index.js', './hash').href, 'file:///app/dist/plugins/x/hash.js');
  // tsx's scoped loader adds a query to module URLs; the extension still comes from the path.
  assert.is(workerFile('file:///app/x/index.mts?tsx-namespace=1', 'hash').href, 'file:///app/x/hash.mts');
  assert.match(threadWorker.href, /\/dist\/test\/fixtures\/workers\/thread\.js$/);
});

workers('a plugin submits a task to its own worker file and it runs on another thread (compiled build)', async () => {
  await using kernel = await createTestKernel({ plugins: [threadProbe] });
  const result = await kernel.services.get('thread-probe').run({});
  assert.type(result.threadId, 'number');
  assert.is.not(result.threadId, threadId);
});

workers('a throwing worker rejects with KERNEL_WORKER_FAILED and the cause', async () => {
  const pool = createWorkerPool({ maxThreads: 1 });
  try {
    const error = await rejectsWith(pool.run(threadWorker, { fail: 'bad input' }), KernelErrors.WORKER_FAILED);
    assert.match(error.message, /^Worker task in file:.*thread\.js failed: bad input$/);
    assert.is((error.cause as Error).message, 'bad input');
    const text = await rejectsWith(pool.run(threadWorker, { throwValue: 'plain text' }), KernelErrors.WORKER_FAILED);
    assert.match(text.message, 'failed: plain text');
  } finally {
    await pool.destroy();
  }
});

workers('an aborted task rejects with KERNEL_WORKER_FAILED', async () => {
  const pool = createWorkerPool({ maxThreads: 1 });
  try {
    await rejectsWith(pool.run(threadWorker, { waitMs: 5000 }, { signal: AbortSignal.timeout(50) }), KernelErrors.WORKER_FAILED);
  } finally {
    await pool.destroy();
  }
});

workers('a destroyed pool refuses work; destroying an unused pool starts nothing', async () => {
  const pool = createWorkerPool();
  await pool.destroy();
  const error = await rejectsWith(pool.run(threadWorker, {}), KernelErrors.STATE);
  assert.match(error.message, 'The worker pool is closed');
});

workers('from TypeScript sources under node --import tsx, the same plugin runs its .ts worker on another thread', async () => {
  const kernelUrl = new URL('kernel/index.ts', `file://${root}`).href;
  const pluginUrl = new URL('test/fixtures/workers/thread-plugin.ts', `file://${root}`).href;
  const script = `
    import { createKernel } from ${JSON.stringify(kernelUrl)};
    import probe, { threadWorker } from ${JSON.stringify(pluginUrl)};
    import { threadId } from 'node:worker_threads';
    const kernel = createKernel({ plugins: [probe] });
    await kernel.boot();
    const result = await kernel.services.get('thread-probe').run({});
    await kernel.close();
    console.log(JSON.stringify({ main: threadId, worker: result.threadId, file: threadWorker.href }));`;
  // A file, not `-e`: workers inherit execArgv, and `--input-type` is refused outside `-e`.
  const file = join(tempDir(), 'probe.mjs');
  writeFileSync(file, script);
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: root });
  const result = JSON.parse(stdout) as { main: number; worker: number; file: string };
  assert.match(result.file, /\/test\/fixtures\/workers\/thread\.ts$/);
  assert.type(result.worker, 'number');
  assert.is.not(result.worker, result.main);
});

workers.run();
