// cluster-key-slot (a dependency of ioredis) ships no types; only what the tests use.
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0-16383) of a key, honouring `{hash tags}`. */
  function calculateSlot(key: string | Buffer): number;
  export = calculateSlot;
}
