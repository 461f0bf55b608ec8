--[[
  supersede-incident.lua: a service-wide incident takes over an instance-level one.

  KEYS[1]  the instance's place hash (hoptrace:probe:{<probe>}:place:<service>:<instance>)
  ARGV[1]  the fault kind (the hash field)
  ARGV[2]  id of the instance-level incident to resolve
  ARGV[3]  id of the service-wide incident that takes over
  ARGV[4]  now, epoch ms

  The incident is resolved with `mergedInto`, and the place's faulty streak starts again, so it
  does not reopen at the next faulty visit while the service-wide incident covers it.

  Returns the resolved incident (JSON), or nil when it was no longer open.
]]
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return nil end
local state = cjson.decode(raw)
local incident = state.incident
if not incident or incident.id ~= ARGV[2] or incident.state ~= 'open' then return nil end
incident.state = 'resolved'
incident.resolvedAtMs = tonumber(ARGV[4])
incident.mergedInto = ARGV[3]
state.faulty = 0
state.instances = {}
state.pending = {}
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
return cjson.encode(incident)
