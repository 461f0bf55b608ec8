--[[
  record-visit.lua: one run's evidence about one place, and what it does to the place's incidents.

  A place is a probe's service, at one instance or (instance `*`) as a whole. Each fault kind
  (slow, error, lost, ...) has its own state in the place's hash: consecutive faulty and healthy
  visits, the instances seen in the faulty streak, and the current incident. An incident opens
  after `openAfter` faulty visits in a row (from at least `minDistinct` instances) and resolves
  after `resolveAfter` healthy visits in a row: a fault that comes and goes keeps it open rather
  than opening and resolving it again (flapping held back).

  KEYS[1]  the place hash (hoptrace:probe:{<probe>}:place:<service>:<instance or *>)
  ARGV[1]  now, epoch ms
  ARGV[2]  run id
  ARGV[3]  when the run was fired, epoch ms
  ARGV[4]  fault kind of this visit, or '' for a healthy visit
  ARGV[5]  openAfter
  ARGV[6]  resolveAfter
  ARGV[7]  minDistinct: instances the faulty streak must include before it opens
  ARGV[8]  the instance visited ('' when unknown)
  ARGV[9]  latency of the faulty hop or run in ms ('' when none)
  ARGV[10] reason given by the classifier
  ARGV[11] retention of the place, ms (its TTL, refreshed by every visit)
  ARGV[12] the place as JSON: { probe, service, instance? }
  ARGV[13] '1' to never open here (a service-wide incident of this kind is already open)

  Returns a JSON array of { type = 'opened' | 'updated' | 'resolved', incident }.
]]
local now = tonumber(ARGV[1])
local runId = ARGV[2]
local firedAt = tonumber(ARGV[3])
local kind = ARGV[4]
local openAfter = tonumber(ARGV[5])
local resolveAfter = tonumber(ARGV[6])
local minDistinct = tonumber(ARGV[7])
local instance = ARGV[8]
local latency = tonumber(ARGV[9])
local reason = ARGV[10]
local ttl = tonumber(ARGV[11])
local place = cjson.decode(ARGV[12])
local suppressOpen = ARGV[13] == '1'

local MAX_EXAMPLES = 5
local MAX_LATENCIES = 50
local MAX_INSTANCES = 16

local transitions = {}

local function list(value)
  if type(value) ~= 'table' then return {} end
  return value
end

local function push_capped(items, value, cap)
  items[#items + 1] = value
  while #items > cap do table.remove(items, 1) end
end

local function median(values)
  local sorted = {}
  for i, v in ipairs(values) do sorted[i] = v end
  table.sort(sorted)
  if #sorted == 0 then return nil end
  return sorted[math.floor((#sorted + 1) / 2)]
end

local function load(field)
  local raw = redis.call('HGET', KEYS[1], field)
  if not raw then return { faulty = 0, healthy = 0, instances = {}, pending = {}, latencies = {} } end
  local state = cjson.decode(raw)
  state.instances = list(state.instances)
  state.pending = list(state.pending)
  state.latencies = list(state.latencies)
  return state
end

local function save(field, state)
  redis.call('HSET', KEYS[1], field, cjson.encode(state))
end

if kind == '' then
  -- A healthy visit: evidence against every kind of fault here.
  local fields = redis.call('HKEYS', KEYS[1])
  for _, field in ipairs(fields) do
    local state = load(field)
    state.faulty = 0
    state.instances = {}
    state.pending = {}
    state.healthy = state.healthy + 1
    local incident = state.incident
    if incident and incident.state == 'open' and state.healthy >= resolveAfter then
      incident.state = 'resolved'
      incident.resolvedAtMs = now
      transitions[#transitions + 1] = { type = 'resolved', incident = incident }
    end
    save(field, state)
  end
else
  local state = load(kind)
  state.healthy = 0
  state.faulty = state.faulty + 1
  local open = state.incident and state.incident.state == 'open'
  if state.faulty == 1 and not open then
    -- A new streak: forget the latencies of the previous one.
    state.firstFaultAtMs = firedAt
    state.latencies = {}
  end
  if instance ~= '' then
    local seen = false
    for _, i in ipairs(state.instances) do if i == instance then seen = true end end
    if not seen then push_capped(state.instances, instance, MAX_INSTANCES) end
  end
  if latency then push_capped(state.latencies, latency, MAX_LATENCIES) end
  local incident = state.incident
  if open then
    incident.runsAffected = incident.runsAffected + 1
    incident.lastSeenAtMs = firedAt
    incident.reason = reason
    incident.exampleRuns = list(incident.exampleRuns)
    if #incident.exampleRuns < MAX_EXAMPLES then
      incident.exampleRuns[#incident.exampleRuns + 1] = runId
    else
      incident.exampleRuns[MAX_EXAMPLES] = runId  -- keep the first ones, and the latest
    end
    if latency and (not incident.worstMs or latency > incident.worstMs) then incident.worstMs = latency end
    incident.typicalMs = median(state.latencies)
    incident.instancesFailing = state.instances
    transitions[#transitions + 1] = { type = 'updated', incident = incident }
  else
    push_capped(state.pending, runId, MAX_EXAMPLES)
    if state.faulty >= openAfter and #state.instances >= minDistinct and not suppressOpen then
      incident = {
        id = place.probe .. '/' .. place.service .. '/' .. (place.instance or '*') .. '/' .. kind .. '/' .. now .. '-' .. runId,  -- the run: two opened in one ms differ
        probe = place.probe,
        service = place.service,
        instance = place.instance,
        kind = kind,
        state = 'open',
        startedAtMs = state.firstFaultAtMs or firedAt,
        openedAtMs = now,
        lastSeenAtMs = firedAt,
        runsAffected = state.faulty,
        exampleRuns = state.pending,
        reason = reason,
        typicalMs = median(state.latencies),
        instancesFailing = state.instances,
      }
      local worst = nil
      for _, v in ipairs(state.latencies) do if not worst or v > worst then worst = v end end
      incident.worstMs = worst
      state.incident = incident
      transitions[#transitions + 1] = { type = 'opened', incident = incident }
    end
  end
  save(kind, state)
end

redis.call('PEXPIRE', KEYS[1], ttl)
if #transitions == 0 then return '[]' end
return cjson.encode(transitions)
