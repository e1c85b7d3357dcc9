// Steps of the `fan-out` example: a product is checked by three independent steps that run at
// the same time; a gate joins their results and a final step announces the verdict.

type Json = Record<string, unknown>;

/** Reads the product from the run input (the start step gets the run input as its input). */
export async function LoadProduct(input: Json): Promise<Json> {
  return {
    sku: String(input.sku ?? '').toUpperCase(),
    name: String(input.name ?? '').trim(),
    description: String(input.description ?? '').trim(),
    price: Number(input.price ?? 0),
    cost: Number(input.cost ?? 0),
    stock: Number(input.stock ?? 0),
  };
}

/** Branch 1: is the margin high enough? */
export async function CheckPricing(input: Json): Promise<Json> {
  const price = Number(input.price);
  const margin = price > 0 ? Math.round(((price - Number(input.cost)) / price) * 100) / 100 : 0;
  const ok = margin >= Number(input.min_margin);
  return { margin, pricing_ok: ok, ...(ok ? {} : { pricing_issue: `margin ${margin} is below ${String(input.min_margin)}` }) };
}

/** Branch 2: is there enough stock for launch week? */
export async function CheckInventory(input: Json): Promise<Json> {
  const stock = Number(input.stock);
  const ok = stock >= Number(input.min_stock);
  return { stock, stock_ok: ok, ...(ok ? {} : { stock_issue: `only ${stock} in stock, need ${String(input.min_stock)}` }) };
}

/** Branch 3: is the shop listing complete? */
export async function CheckListing(input: Json): Promise<Json> {
  const issues: string[] = [];
  if (String(input.name).length < 3) issues.push('name is too short');
  const words = String(input.description).split(/\s+/).filter((w) => w !== '').length;
  if (words < 8) issues.push(`description has ${words} words, needs 8`);
  return { listing_ok: issues.length === 0, ...(issues.length === 0 ? {} : { listing_issue: issues.join(', ') }) };
}

/**
 * The join. It declares no inputs, so its input is the three branch outputs merged into one
 * object. A class, to show `config`: the flags it requires come from the pipeline file.
 */
export class LaunchGate {
  private readonly required: string[];

  constructor(config: Json) {
    this.required = Array.isArray(config.required) ? config.required.map(String) : [];
  }

  async run(input: Json): Promise<Json> {
    const failed = this.required.filter((flag) => input[flag] !== true);
    const blockers = failed.map((flag) => String(input[flag.replace(/_ok$/, '_issue')] ?? flag));
    return { ready: failed.length === 0, checks: this.required.length, blockers };
  }
}

/** The final step: one line for the launch channel. */
export async function Announce(input: Json): Promise<Json> {
  const blockers = Array.isArray(input.blockers) ? input.blockers : [];
  const message = input.ready === true
    ? `${String(input.name)} (${String(input.sku)}) is cleared for launch.`
    : `${String(input.name)} (${String(input.sku)}) is on hold: ${blockers.join('; ')}.`;
  return { message };
}
