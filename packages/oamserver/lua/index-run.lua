--[[
  index-run.lua: add a run to one index of runs, and keep the index bounded.

  KEYS[1]  the index, a sorted set (e.g. hoptrace:runs:recent): member = run id, score = fired at
  ARGV[1]  the run id
  ARGV[2]  fired at, epoch ms (the score)
  ARGV[3]  most runs kept (maxRuns): the oldest beyond it are dropped
  ARGV[4]  the run TTL, ms: runs fired before now - TTL are dropped (their hashes are gone), and the
           index expires when no run is added for that long
  ARGV[5]  now, epoch ms (the caller's clock, like the run's)

  One call instead of four commands (ZADD, ZREMRANGEBYRANK, ZREMRANGEBYSCORE, PEXPIRE): a run is
  indexed up to a dozen times (recent, its probe, verdict, services, instances). One key per call,
  so it works on Redis Cluster whatever slots the indexes fall in.
]]
local ttl = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[3]) + 1))
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[5]) - ttl))
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
