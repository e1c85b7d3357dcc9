// Steps of the `review-loop` example: a writer drafts a press release, an editor reviews it, and
// the draft goes back to the writer with the editor's feedback until it is approved.

type Json = Record<string, unknown>;

/** The part of the run context these steps use (`ctx.iteration` counts this step's runs from 1). */
interface Ctx {
  readonly iteration: number;
}

const countWords = (text: string): number => text.split(/\s+/).filter((w) => w !== '').length;

/**
 * Writes the first draft, or revises the previous one (`previous`, this step's own last output)
 * according to the editor's `feedback`, which is '' on the first round.
 */
export async function WriteDraft(input: Json, ctx: Ctx): Promise<Json> {
  const topic = String(input.topic);
  const feedback = String(input.feedback ?? '');
  let text = String(input.previous ?? '');
  if (text === '') text = `${topic} is here. It gives teams a faster way to work, with fewer handoffs and fewer surprises along the way.`;
  if (feedback.startsWith('Add a quote')) text += ' "We built it for the people who use it every day," says the product lead.';
  else if (feedback.startsWith('End with a call to action')) text += ' Learn more at example.com.';
  else if (feedback.startsWith('Too long')) text = text.replace(', with fewer handoffs and fewer surprises along the way.', '.');
  return { text, version: ctx.iteration, words: countWords(text) };
}

/** Checks the draft against a short rubric; the first problem found becomes the feedback. */
export async function ReviewDraft(input: Json, ctx: Ctx): Promise<Json> {
  const text = String(input.text ?? '');
  const words = countWords(text);
  const limit = Number(input.max_words);
  let feedback = '';
  if (words > limit) feedback = `Too long: ${words} words; the limit is ${limit}.`;
  else if (!text.includes('"')) feedback = 'Add a quote from a spokesperson.';
  else if (!text.includes('Learn more at')) feedback = 'End with a call to action.';
  return { approved: feedback === '', feedback, words, round: ctx.iteration };
}

/** Publishes the approved draft under a slug made from the topic. */
export async function Publish(input: Json): Promise<Json> {
  const slug = String(input.topic).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return { url: `https://example.com/news/${slug}`, text: input.text, rounds: input.rounds };
}
