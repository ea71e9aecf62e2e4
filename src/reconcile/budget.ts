/**
 * The Genesys requests one reconciler run may spend, shared by every pass: Genesys allows 300
 * requests per token per minute, and deliveries, cancels, priority aging and estimated waits spend
 * from the same allowance.
 */
export class Budget {
  private spent = 0;
  constructor(readonly max: number) {}

  /** One request, if any is left. */
  take(): boolean {
    if (this.spent >= this.max) return false;
    this.spent++;
    return true;
  }

  /** A request taken but not made (there was nothing to ask about). */
  refund(): void {
    if (this.spent > 0) this.spent--;
  }

  get used(): number {
    return this.spent;
  }

  get remaining(): number {
    return this.max - this.spent;
  }
}
