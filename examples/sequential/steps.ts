// Steps of the `sequential` example: plain async functions `(input, ctx) => output`.
// Each receives the `inputs` its pipeline step declares, already resolved from templates.

type Json = Record<string, unknown>;

/** Collapses runs of whitespace, removes spaces before punctuation, trims. */
export async function NormaliseText(input: Json): Promise<Json> {
  const raw = typeof input.text === 'string' ? input.text : '';
  const text = raw.replace(/\s+/g, ' ').replace(/ ([.,!?;:])/g, '$1').trim();
  return { text, characters: text.length, changed: text !== raw };
}

const STOP_WORDS = new Set(['the', 'and', 'are', 'for', 'its', 'each', 'with', 'this', 'that', 'from', 'into']);

/** Counts words and sentences; `keyword` is the most repeated word, or null when none repeats. */
export async function TextStats(input: Json): Promise<Json> {
  const text = String(input.text ?? '');
  const words = text.match(/[\p{L}\p{N}']+/gu) ?? [];
  const sentences = text.split(/(?<=[.!?])\s+/).filter((s) => s.trim() !== '').length;
  const counts = new Map<string, number>();
  for (const word of words) {
    const key = word.toLowerCase();
    if (key.length > 2 && !STOP_WORDS.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let keyword: string | null = null;
  let best = 1;
  for (const [word, n] of counts) {
    if (n > best) {
      keyword = word;
      best = n;
    }
  }
  return { words: words.length, sentences, reading_seconds: Math.ceil((words.length / 200) * 60), keyword };
}

/** Keeps the first `max_words` words of the text as the summary. */
export async function Summarise(input: Json): Promise<Json> {
  const words = String(input.text ?? '').split(' ').filter((w) => w !== '');
  const limit = Number(input.max_words);
  const truncated = words.length > limit;
  const summary = truncated ? `${words.slice(0, limit).join(' ')}…` : words.join(' ');
  return { headline: input.headline, summary, truncated, keyword: input.keyword, author: input.author };
}
