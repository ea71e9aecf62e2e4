/**
 * Estimated waits are asked of Genesys at most once per queue every `ttlMs`, however many flows ask:
 * concurrent askers share the one pending answer.
 */
export class EwtCache {
  private readonly entries = new Map<string, { at: number; value: Promise<number> }>();

  constructor(private readonly ttlMs = 15_000) {}

  /** The wait cached for this Genesys queue at `now` (epoch ms), or the one `ask` gives. */
  get(genesysQueueId: string, now: number, ask: () => Promise<number>): Promise<number> {
    const hit = this.entries.get(genesysQueueId);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = ask();
    this.entries.set(genesysQueueId, { at: now, value });
    return value;
  }
}
