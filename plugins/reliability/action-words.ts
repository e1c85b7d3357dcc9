/**
 * Verbs that change something outside the agent. `set` is left out on purpose: it is as often a
 * noun (`get_settings`, a Redis set) as a verb. A noun that is also a write verb (`post`, `patch`,
 * `commit`-like words) still counts: in explore mode a wrong denial is cheaper than a wrong write.
 */
export const WRITE_WORDS: ReadonlySet<string> = new Set([
  'write', 'update', 'delete', 'create', 'modify', 'execute', 'exec', 'run', 'rerun',
  'insert', 'remove', 'send', 'post', 'put', 'patch', 'drop', 'save', 'edit',
  'upload', 'move', 'rename', 'deploy', 'publish', 'submit', 'push', 'append', 'overwrite',
  'purge', 'destroy', 'kill',
]);

/** Verbs that only look. They never outweigh a write word; they only name why an action is allowed. */
export const READ_WORDS: ReadonlySet<string> = new Set([
  'search', 'lookup', 'read', 'get', 'fetch', 'query', 'analyze', 'analyse', 'list', 'find', 'view', 'show', 'describe',
]);

/** What an action does, judged by its words and its tool's. */
export interface ActionClass {
  kind: 'write' | 'read' | 'unknown';
  /** The word that decided it (for `unknown`, none). */
  word?: string;
}

/**
 * The lower-case words of an identifier or phrase: split on anything but letters and digits, at
 * camelCase humps (`runQuery`, `HTTPRequest`) and between letters and digits.
 */
export function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/**
 * The forms a word may be an inflection of, itself first: `deletes`, `created`, `running` and
 * `dropped` reach `delete`, `create`, `run` and `drop`. Agent nouns (`runner`, `reader`) are not
 * inflections, so they never match a verb.
 */
export function baseForms(word: string): string[] {
  const forms = [word];
  for (const suffix of ['s', 'es', 'ed', 'ing']) {
    // Short words (`bus`, `used`, `sing`) are left alone: stripping them yields noise.
    if (!word.endsWith(suffix) || word.length <= suffix.length + 2) continue;
    const base = word.slice(0, -suffix.length);
    forms.push(base, `${base}e`);
    if (/(.)\1$/.test(base)) forms.push(base.slice(0, -1));
  }
  return forms;
}

/**
 * Classifies an action by the whole words of the tool name and the action, case-insensitively.
 * A write word in either makes it a write, so a read-looking tool (`search_and_delete`, or tool
 * `search` with action `delete records`) cannot hide a write; otherwise a read word makes it a read.
 */
export function classifyAction(action: string, tool?: string): ActionClass {
  const words = [...wordsOf(tool ?? ''), ...wordsOf(action)].flatMap(baseForms);
  const write = words.find((w) => WRITE_WORDS.has(w));
  if (write !== undefined) return { kind: 'write', word: write };
  const read = words.find((w) => READ_WORDS.has(w));
  return read === undefined ? { kind: 'unknown' } : { kind: 'read', word: read };
}

/** Whether the action, or the tool it uses, writes (see classifyAction). */
export function isWrite(action: string, tool?: string): boolean {
  return classifyAction(action, tool).kind === 'write';
}
