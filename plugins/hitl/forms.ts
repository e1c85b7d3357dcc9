import type { UiSchema } from './ui-schema.js';

/** The review form: a required decision and optional comments. */
export const REVIEW_FORM: UiSchema = {
  type: 'review_approval',
  title: 'Review',
  fields: [
    { name: 'decision', type: 'radio', label: 'Decision', required: true, options: ['approve', 'reject', 'request_changes'] },
    { name: 'comments', type: 'textarea', label: 'Comments' },
  ],
};

/** The urgent-decision form of a time-boxed decision. */
export const DECISION_FORM: UiSchema = {
  type: 'urgent_decision',
  title: 'Decision required',
  fields: [{ name: 'decision', type: 'radio', label: 'Decision', required: true, options: ['proceed', 'abort', 'modify'] }],
};

/** The vote form of a multi-stakeholder decision. */
export const VOTE_FORM: UiSchema = {
  type: 'stakeholder_vote',
  title: 'Your vote',
  fields: [
    { name: 'decision', type: 'radio', label: 'Vote', required: true, options: ['approve', 'reject'] },
    { name: 'comments', type: 'textarea', label: 'Comments' },
  ],
};
