/**
 * The Genesys requests one reconciler run may spend, shared by every pass: Genesys allows 300
 * requests per token per minute, and deliveries, cancels, priority aging and estimated waits spend
 * from the same allowance.
 */
export class Budget {
  private spent = 0;
  /**
   * `startedAt`: when the run began (a pass called twice in one run skips what it compared since);
   * `parent`: the budget a share is carved from (see `share`), charged with every request taken.
   */
  constructor(
    readonly max: number,
    readonly startedAt: Date = new Date(),
    private readonly parent?: Budget,
  ) {}

  /** `n` requests (default one), if that many are left. */
  take(n = 1): boolean {
    if (this.spent + n > this.max) return false;
    if (this.parent && !this.parent.take(n)) return false;
    this.spent += n;
    return true;
  }

  /** A request taken but not made (there was nothing to ask about). */
  refund(): void {
    if (this.spent === 0) return;
    this.spent--;
    this.parent?.refund();
  }

  /** Up to `n` of what is left, as a budget of its own for one pass (it spends from this one). */
  share(n: number): Budget {
    return new Budget(Math.max(0, Math.min(n, this.remaining)), this.startedAt, this);
  }

  get used(): number {
    return this.spent;
  }

  get remaining(): number {
    return this.max - this.spent;
  }
}
