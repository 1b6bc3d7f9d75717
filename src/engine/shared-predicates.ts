/**
 * Rules often repeat a condition: ssh-brute-force, ssh-password-spray,
 * ssh-distributed-guessing and the first step of ssh-brute-force-success all match the same
 * failed authentications. Conditions written the same way (same sources) share one
 * evaluation per event here, so a detection added on top of the same events costs its
 * counting, not its matching again.
 */
import type { Predicate } from '../rules/types';

interface Memo {
  test: Predicate;
  /** The event (by its number) the result is for: numbers, not objects, so that a reader reusing event objects is safe. */
  stamp: number;
  result: boolean;
}

export class SharedPredicates {
  private readonly memos = new Map<string, Memo>();
  private stamp = 0;

  /** The next event: every shared result is evaluated afresh. Call before matching each event. */
  nextEvent(): void {
    this.stamp++;
  }

  /** A predicate that evaluates `predicate` once per event for every condition written as `spec`; `predicate` itself when the spec is unknown. */
  share(predicate: Predicate, spec: unknown, sources: readonly string[]): Predicate {
    if (spec === undefined) return predicate;
    const key = JSON.stringify([[...sources].sort(), spec]);
    let memo = this.memos.get(key);
    if (memo === undefined) {
      memo = { test: predicate, stamp: -1, result: false };
      this.memos.set(key, memo);
    }
    const shared = memo;
    return (event) => {
      if (shared.stamp !== this.stamp) {
        shared.result = shared.test(event);
        shared.stamp = this.stamp;
      }
      return shared.result;
    };
  }
}
