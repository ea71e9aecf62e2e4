import type { Clock } from '../clock.js';

/**
 * Failed sign-ins per username and per client IP, in fixed windows, in this process's memory (each
 * replica counts its own). Only failures count, so people signing in normally never reach it; once a
 * key is over its limit every attempt is refused, a right password included, until the window ends.
 */
export class LoginLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly limits: { perUsername: number; perIp: number; windowMs: number },
    private readonly maxKeys = 100_000,
  ) {}

  private keys(username: string, ip: string): [string, number][] {
    return [
      [`u:${username.trim().toLowerCase()}`, this.limits.perUsername],
      [`ip:${ip}`, this.limits.perIp],
    ];
  }

  /** Seconds until another attempt is allowed, or null when it is allowed now. */
  blocked(username: string, ip: string): number | null {
    const now = this.clock.now().getTime();
    let wait: number | null = null;
    for (const [key, max] of this.keys(username, ip)) {
      const w = this.windows.get(key);
      if (w && w.resetAt > now && w.count >= max) wait = Math.max(wait ?? 0, Math.ceil((w.resetAt - now) / 1000));
    }
    return wait;
  }

  failed(username: string, ip: string): void {
    const now = this.clock.now().getTime();
    if (this.windows.size >= this.maxKeys) this.windows.clear();
    for (const [key] of this.keys(username, ip)) {
      const w = this.windows.get(key);
      if (!w || w.resetAt <= now) this.windows.set(key, { count: 1, resetAt: now + this.limits.windowMs });
      else w.count += 1;
    }
  }

  succeeded(username: string): void {
    this.windows.delete(`u:${username.trim().toLowerCase()}`);
  }
}
