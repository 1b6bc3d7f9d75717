/**
 * An empty plain object (its prototype Object.prototype, as a literal's), for the objects of a
 * record's event that the engine may keep as evidence: its fields and the event itself.
 *
 * Not written as a literal because V8 tracks each literal's objects (an allocation site) and,
 * once most of them outlive a young-generation GC, allocates all later ones straight in the old
 * generation. The first events of every alert group are kept as samples, so early in a scan that
 * happened to the event and field literals in some runs and not in others: every later record's
 * fields were then old objects holding its young strings and arrays, which every scavenge had to
 * copy until the next full GC (a WAF scan of 200,000 records: 85-91 scavenges taking
 * 800-1,100 ms, against 71 taking about 280 ms). Object.create has no allocation site.
 */
export function newPlainObject<T extends object>(): T {
  return Object.create(Object.prototype) as T;
}
