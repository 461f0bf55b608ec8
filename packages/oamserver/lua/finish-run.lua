--[[
  finish-run.lua: store a run's result, once.

  KEYS[1]  the run's hash, e.g. hoptrace:run:{<runId>}
  ARGV[1]  the result (JSON)
  ARGV[2]  classified at, epoch ms
  ARGV[3]  the run's summary (JSON): what lists of runs read instead of the whole result

  Only a run still pending takes the result, so two Oamservers (or one restarted halfway)
  can never classify a run twice.

  Returns 1 when the result was stored, 0 when the run was already classified, -1 when the
  run does not exist (expired or never recorded).
]]
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
if state ~= 'pending' then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'done', 'result', ARGV[1], 'classifiedAtMs', ARGV[2], 'summary', ARGV[3])
return 1
