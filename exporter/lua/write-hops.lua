--[[
  write-hops.lua: store hop records of one run, idempotently, with a TTL and a cap.

  KEYS[1]   the run's hop hash, e.g. hoptrace:run:{<runId>}:hops
  ARGV[1]   TTL of the hash, in milliseconds
  ARGV[2]   most hop records one run may hold (bounds what a runaway or forged run can write)
  ARGV[3..] pairs of: span id, hop record JSON

  A span id already present is left as it is: a replayed export (for example after a timeout
  that Redis still executed) counts once.

  Returns { written, duplicates, capped }.
]]
local ttl = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local written, duplicates, capped = 0, 0, 0
local size = redis.call('HLEN', KEYS[1])

for i = 3, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    duplicates = duplicates + 1
  elseif size >= cap then
    capped = capped + 1
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    size = size + 1
    written = written + 1
  end
end

if written > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
end

return { written, duplicates, capped }
