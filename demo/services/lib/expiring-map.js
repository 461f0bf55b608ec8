// A Map with a cap and a time to live, for per-call state that a peer controls: a flood of
// INVITEs, or calls never hung up, must not grow a service's memory without bound.

/** Entries by key, each forgotten `ttlMs` after it was last set, the oldest first when over `maxEntries`. */
export class ExpiringMap {
  #entries = new Map();
  #maxEntries;
  #ttlMs;
  #onEvict;
  #now;

  /** `onEvict(value, key)` runs for every entry dropped by the cap or the timeout (not for `delete`). */
  constructor({ maxEntries, ttlMs, onEvict = () => undefined, now = Date.now }) {
    this.#maxEntries = maxEntries;
    this.#ttlMs = ttlMs;
    this.#onEvict = onEvict;
    this.#now = now;
  }

  get size() {
    return this.#entries.size;
  }

  /** The value, or undefined when there is none or it expired. */
  get(key) {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.#now()) {
      this.#evict(key, entry);
      return undefined;
    }
    return entry.value;
  }

  /** Sets the value and restarts its time to live; drops the oldest entries beyond the cap. */
  set(key, value) {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAtMs: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const [oldestKey, oldest] = this.#entries.entries().next().value;
      this.#evict(oldestKey, oldest);
    }
    return this;
  }

  delete(key) {
    return this.#entries.delete(key);
  }

  /** Drops every expired entry. Entries are kept in the order they were set, so this stops at the first live one. */
  sweep() {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAtMs > now) break;
      this.#evict(key, entry);
    }
  }

  /** Every live value. */
  values() {
    return [...this.#entries.values()].map((entry) => entry.value);
  }

  #evict(key, entry) {
    this.#entries.delete(key);
    try {
      this.#onEvict(entry.value, key);
    } catch {
      // Cleaning up one entry must not stop the others.
    }
  }
}
