// Steps of the `branching` example: refund requests are scored, then either approved
// automatically or queued for a person, and the customer is told either way.

type Json = Record<string, unknown>;

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Scores how risky a refund is (0 = safe, 1 = risky) and says why. */
export async function AssessRefund(input: Json): Promise<Json> {
  const amount = Number(input.amount);
  const limit = Number(input.auto_approve_limit);
  const days = Number(input.days_since_purchase);
  const previous = Number(input.previous_refunds);
  const reasons: string[] = [];
  let risk = Math.min(amount / limit, 1) * 0.5;
  if (amount > limit) reasons.push(`amount ${amount} is over the ${limit} limit`);
  if (days > 30) {
    risk += 0.3;
    reasons.push(`bought ${days} days ago`);
  }
  risk += Math.min(previous, 3) * 0.1;
  if (previous > 0) reasons.push(`${previous} earlier refund(s)`);
  return {
    order_id: input.order_id,
    customer: input.customer,
    amount,
    risk_score: round2(Math.min(risk, 1)),
    flagged: previous >= 3,
    reasons,
  };
}

/** The low-risk branch: refund at once. Receives AssessRefund's output (no inputs declared). */
export async function ApproveRefund(input: Json): Promise<Json> {
  return { order_id: input.order_id, customer: input.customer, decision: 'approved', refund: input.amount, handled_by: 'auto' };
}

/** The high-risk branch: queue for a person; very risky cases go to a senior reviewer. */
export async function QueueForReview(input: Json): Promise<Json> {
  const reasons = Array.isArray(input.reasons) ? input.reasons : [];
  return {
    order_id: input.order_id,
    customer: input.customer,
    decision: 'pending_review',
    refund: 0,
    handled_by: Number(input.risk_score) >= 0.8 ? 'senior-review' : 'review',
    why: reasons.join('; '),
  };
}

/** The join: runs once, after whichever branch ran, with that branch's output as its input. */
export async function NotifyCustomer(input: Json): Promise<Json> {
  const message = input.decision === 'approved'
    ? `Hi ${String(input.customer)}, your refund of ${String(input.refund)} for order ${String(input.order_id)} is on its way.`
    : `Hi ${String(input.customer)}, we are reviewing your refund request for order ${String(input.order_id)}.`;
  return { order_id: input.order_id, decision: input.decision, message };
}
