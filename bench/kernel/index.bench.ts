// Case `kernel`: what the microkernel itself costs, measured with plugins that do nothing.
//  - boot: createKernel + boot + close with 20 no-op plugins in a dependency chain. That is the
//    registry (shape and semver checks, topological order), config validation, 20 setups with
//    their timeouts and timings, sealing the services, the ready hook and the reverse-order close.
//    No I/O, no worker threads. Target: under 20 ms.
//  - dispatch: one call through a tapable hook with 3 taps, SyncHook.call and
//    AsyncSeriesHook.promise. 1,000 calls per sample, reported per call. Target (async): under 1 µs.
import { AsyncSeriesHook, SyncHook } from 'tapable';
import { Bench, type FnReturnedObject } from 'tinybench';
import { createKernel, createLogger, definePlugin } from '../../kernel/index.js';

const CALLS_PER_SAMPLE = 1000;

const noopPlugins = Array.from({ length: 20 }, (_, i) =>
  definePlugin({ name: `noop-${i}`, version: '1.0.0', kernel: '^1', dependsOn: i === 0 ? [] : [`noop-${i - 1}`], setup() {} }),
);
const quiet = createLogger(() => {});

/** The boot suite and the hook-dispatch suite. */
export default function kernelBenches(): Bench[] {
  const boot = new Bench({ name: 'kernel boot', time: 1000, warmupTime: 200 });
  boot.add('create + boot + close, 20 no-op plugins', async () => {
    const kernel = createKernel({ plugins: noopPlugins, logger: quiet });
    await kernel.boot();
    await kernel.close();
  });

  const dispatch = new Bench({ name: 'hook dispatch', time: 500, warmupTime: 100 });
  const sync = new SyncHook<[number]>(['n']);
  const series = new AsyncSeriesHook<[number]>(['n']);
  let sink = 0;
  for (const name of ['a', 'b', 'c']) {
    sync.tap(name, (n) => void (sink += n));
    series.tapPromise(name, async (n) => void (sink += n));
  }
  dispatch.add('SyncHook.call, 3 taps', (): FnReturnedObject => {
    const start = dispatch.now();
    for (let i = 0; i < CALLS_PER_SAMPLE; i++) sync.call(i);
    return perCall(dispatch.now() - start);
  });
  dispatch.add('AsyncSeriesHook.promise, 3 taps', async (): Promise<FnReturnedObject> => {
    const start = dispatch.now();
    for (let i = 0; i < CALLS_PER_SAMPLE; i++) await series.promise(i);
    return perCall(dispatch.now() - start);
  });
  dispatch.addEventListener('complete', () => void (sink === -1 && console.log(sink)));
  return [boot, dispatch];
}

// A sample is the mean of its calls; the time budget still counts the whole loop.
function perCall(totalMs: number): FnReturnedObject {
  return { overriddenDuration: totalMs / CALLS_PER_SAMPLE, overriddenIterationCost: totalMs };
}
