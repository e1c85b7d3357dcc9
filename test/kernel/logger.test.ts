import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../kernel/index.js';
import { childLogger } from '../../kernel/logger.js';

const logger = suite('logger');

logger('writes one line per entry at or above its level, with data as JSON', () => {
  const lines: string[] = [];
  const log = createLogger((line) => void lines.push(line), 'info');
  log.debug('hidden');
  log.info('started', { port: 1 });
  log.warn('slow');
  log.error('failed');
  assert.equal(lines, ['info started {"port":1}\n', 'warn slow\n', 'error failed\n']);
});

logger('defaults to warnings and errors; a child prefixes its source', () => {
  const lines: string[] = [];
  const log = childLogger(createLogger((line) => void lines.push(line)), 'http');
  log.debug('no');
  log.info('no');
  log.warn('yes', { a: true });
  log.error('yes');
  assert.equal(lines, ['warn [http] yes {"a":true}\n', 'error [http] yes\n']);
});

logger.run();
