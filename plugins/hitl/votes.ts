/** How the votes of a multi-stakeholder decision decide it. */
export type DecisionRule = 'consensus' | 'majority' | 'any';

/** The rules a MultiStakeholderDecision may use. */
export const DECISION_RULES: readonly DecisionRule[] = ['consensus', 'majority', 'any'];

/**
 * The outcome of the votes cast so far (`approve` or `reject`), or undefined while the rule is
 * undecided. consensus: every stakeholder approves, one reject decides; majority: more than half
 * approve, or enough reject that they cannot; any: one approve decides, all rejecting rejects.
 */
export function decide(rule: DecisionRule, stakeholders: number, votes: readonly string[]): 'approve' | 'reject' | undefined {
  const approve = votes.filter((v) => v === 'approve').length;
  const reject = votes.length - approve;
  if (rule === 'any') return approve > 0 ? 'approve' : reject === stakeholders ? 'reject' : undefined;
  if (rule === 'majority') return approve * 2 > stakeholders ? 'approve' : reject * 2 >= stakeholders ? 'reject' : undefined;
  return reject > 0 ? 'reject' : approve === stakeholders ? 'approve' : undefined;
}
