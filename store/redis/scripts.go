package redisstore

import "github.com/redis/go-redis/v9"

// The Lua scripts. go-redis runs them with EVALSHA and falls back to EVAL on NOSCRIPT, so
// they survive a Redis restart or failover without reloading by hand. Every key a script
// touches is passed in KEYS; all of them carry one PBX's hash tag.

// luaLogHead returns the log's epoch and last offset, read in one call. It starts a new log,
// under the caller's random candidate epoch, when
//   - the meta hash is missing: a new log; any stream left from before is dropped so that
//     offsets can restart at 1 under the new epoch;
//   - the stored log is behind a position the caller saw in the same epoch: Redis lost
//     acknowledged writes (a failover to a lagging replica). Handing out or showing those
//     offsets again would give clients' cursors a different history, so whichever script
//     notices first (a write, a load, a position probe, a replay) moves everyone to a new
//     epoch; the lines and calls stay for the owner to rewrite.
const luaLogHead = `
local function log_head(meta, log, candidate, seen_epoch, seen_offset)
  local m = redis.call('HMGET', meta, 'epoch', 'offset')
  local epoch, offset = m[1], tonumber(m[2] or '0')
  if epoch and (epoch ~= seen_epoch or offset >= tonumber(seen_offset)) then return epoch, offset end
  redis.call('DEL', log)
  redis.call('HSET', meta, 'epoch', candidate, 'offset', '0')
  return candidate, 0
end
`

// applyScript is Apply: fence check, state writes, log append, call records, publish.
// KEYS: meta, lines, calls, log, lease, history index, history records, history calls.
// ARGV: owner, token, epoch candidate, max log len, max history records, next handle,
// channel, #lines, #calls, #removed, #events, #records, the epoch and offset the writer last
// saw ("" and 0 when none), the history's age cutoff (an index key), the trim allowance,
// the write's ID (store.Batch.ID, "" for none), then name/JSON pairs of lines, handle/JSON pairs of calls, removed handles, the events
// (when #events > 0: one argument, the batch as published, with the epoch and first offset
// the writer expected and the write's ID), the records' id/JSON pairs and their handle/index member pairs. Each
// hash and the index get one command per 200 items.
//
// The batch's events are one argument, one stream entry (ID "<last offset>-<first offset>",
// field "b") and one message, all the same text: Lua hashes every byte of every string it
// is given or makes, and a call per event (XADD) cost Redis more than the rest of the write.
// Only when the writer's expectation was wrong (its first write, a new epoch, another
// writer in between) is the head rewritten. A named write (an ID of one line) has its ID in
// the head after the first offset, a space between, in the message and the stream's copy
// alike: the writer's own subscriptions and replays then know its events without comparing
// their text (local.go). A message without one (built before, or publishedWrite) still
// reads; an instance built before cannot read a named one (see the README on upgrading).
// Keeping the stream's copy without the name cost Redis a copy of every batch in Lua (a
// fifth more CPU per event, BenchmarkApplyOwned), for instances that would still only get
// the named messages from their probe.
// Returns {0} when fenced, else {1, epoch, first offset (0 without events), last offset}.
// A write with the ID of the PBX's last write is that write sent again (its reply was lost):
// nothing is written and the reply is the first one's.
// Trimming drops at most #records + allowance records per call (bounded work), the oldest
// first: those past the cutoff, then those beyond the maximum.
var applyScript = redis.NewScript(applyLua)

const applyLua = luaLogHead + luaIndexField + `
local lease = redis.call('HMGET', KEYS[5], 'owner', 'token')
if lease[1] ~= ARGV[1] or lease[2] ~= ARGV[2] then return {0} end
if ARGV[17] ~= '' then
  local w = redis.call('HMGET', KEYS[1], 'write', 'write_epoch', 'write_first', 'write_last', 'epoch')
  if w[1] == ARGV[17] and w[2] == w[5] then return {1, w[2], tonumber(w[3]), tonumber(w[4])} end
end
local epoch, offset = log_head(KEYS[1], KEYS[4], ARGV[3], ARGV[13], ARGV[14])
local i = 18
-- call_n calls cmd(key, ...) with the next n groups of per arguments (ARGV from i on, i
-- advanced past them), at most 200 groups a call: unpack takes a few thousand values at most.
local function call_n(cmd, key, per, n)
  while n > 0 do
    local m = math.min(n, 200)
    redis.call(cmd, key, unpack(ARGV, i, i + m * per - 1))
    i = i + m * per
    n = n - m
  end
end
call_n('HSET', KEYS[2], 2, tonumber(ARGV[8]))
call_n('HSET', KEYS[3], 2, tonumber(ARGV[9]))
call_n('HDEL', KEYS[3], 1, tonumber(ARGV[10]))
local ne = tonumber(ARGV[11])
local first = 0
local meta = {}
if ARGV[6] ~= '0' then meta = {'handle', ARGV[6]} end
if ne > 0 then
  first = offset + 1
  offset = offset + ne
  meta[#meta+1] = 'offset'
  meta[#meta+1] = string.format('%d', offset)
  local msg = ARGV[i]
  i = i + 1
  if epoch ~= ARGV[13] or first ~= tonumber(ARGV[14]) + 1 then
    local _, e = string.find(msg, '\n', #ARGV[13] + 2, true)
    local head = epoch .. '\n' .. string.format('%d', first)
    if ARGV[17] ~= '' and not string.find(ARGV[17], '\n', 1, true) then head = head .. ' ' .. ARGV[17] end
    msg = head .. string.sub(msg, e)
  end
  local id = string.format('%d-%d', offset, first)
  local keep = offset - tonumber(ARGV[4]) + 1
  if keep > 1 then
    redis.call('XADD', KEYS[4], 'MINID', '~', string.format('%d', keep), id, 'b', msg)
  else
    redis.call('XADD', KEYS[4], id, 'b', msg)
  end
  redis.call('PUBLISH', ARGV[7], msg)
end
do -- the last write, named or not (see the check above)
  meta[#meta+1] = 'write'
  meta[#meta+1] = ARGV[17]
  meta[#meta+1] = 'write_epoch'
  meta[#meta+1] = epoch
  meta[#meta+1] = 'write_first'
  meta[#meta+1] = string.format('%d', first)
  meta[#meta+1] = 'write_last'
  meta[#meta+1] = string.format('%d', offset)
end
redis.call('HSET', KEYS[1], unpack(meta))
local nj = tonumber(ARGV[12])
if nj > 0 then
  local members = i + 2 * nj + 1
  call_n('HSET', KEYS[7], 2, nj)
  for k = 0, nj - 1, 200 do
    local z = {}
    for m = k, math.min(k + 199, nj - 1) do
      z[#z + 1] = 0
      z[#z + 1] = ARGV[members + 2 * m]
    end
    redis.call('ZADD', KEYS[6], unpack(z))
  end
  call_n('HSET', KEYS[8], 2, nj)
  local budget = nj + tonumber(ARGV[16])
  local function drop(list)
    for k = 1, #list, 200 do
      local last = math.min(k + 199, #list)
      redis.call('ZREM', KEYS[6], unpack(list, k, last))
      local ids = {}
      for m = k, last do
        ids[#ids + 1] = index_field(list[m], 2)
        local h = index_field(list[m], 6)
        if redis.call('HGET', KEYS[8], h) == list[m] then redis.call('HDEL', KEYS[8], h) end
      end
      redis.call('HDEL', KEYS[7], unpack(ids))
    end
    budget = budget - #list
  end
  drop(redis.call('ZRANGEBYLEX', KEYS[6], '-', '(' .. ARGV[15], 'LIMIT', 0, budget))
  local excess = redis.call('ZCARD', KEYS[6]) - tonumber(ARGV[5])
  if excess > 0 and budget > 0 then
    drop(redis.call('ZRANGE', KEYS[6], 0, math.min(excess, budget) - 1))
  end
end
return {1, epoch, first, offset}
`

// luaIndexField returns field n (1-based) of a store.HistoryIndex member, fields separated
// by 0x1f.
const luaIndexField = `
local function index_field(m, n)
  local s = 1
  for k = 1, n - 1 do
    local e = string.find(m, '\31', s, true)
    if not e then return '' end
    s = e + 1
  end
  local e = string.find(m, '\31', s, true)
  if e then return string.sub(m, s, e - 1) end
  return string.sub(m, s)
end
`

// loadScript reads a consistent snapshot. KEYS: meta, lines, calls, log. ARGV: epoch
// candidate, the epoch and offset the caller last saw.
// Returns {epoch, offset, handle, {line JSON...}, {call JSON...}}.
var loadScript = redis.NewScript(luaLogHead + `
local epoch, offset = log_head(KEYS[1], KEYS[4], ARGV[1], ARGV[2], ARGV[3])
local handle = redis.call('HGET', KEYS[1], 'handle') or '0'
return {epoch, offset, handle, redis.call('HVALS', KEYS[2]), redis.call('HVALS', KEYS[3])}
`)

// loadLinesScript is loadScript for some lines: ARGV[4..] are the line names; names the
// store does not hold are left out. The calls are all of the PBX's (the caller keeps those on
// its lines): they are few next to the lines.
var loadLinesScript = redis.NewScript(luaLogHead + `
local epoch, offset = log_head(KEYS[1], KEYS[4], ARGV[1], ARGV[2], ARGV[3])
local handle = redis.call('HGET', KEYS[1], 'handle') or '0'
local lines = {}
for i = 4, #ARGV, 500 do
  local got = redis.call('HMGET', KEYS[2], unpack(ARGV, i, math.min(i + 499, #ARGV)))
  for _, v in ipairs(got) do
    if v then lines[#lines + 1] = v end
  end
end
return {epoch, offset, handle, lines, redis.call('HVALS', KEYS[3])}
`)

// positionScript: KEYS: meta, log. ARGV: epoch candidate, the epoch and offset the caller
// last saw. Returns {epoch, offset}.
var positionScript = redis.NewScript(luaLogHead + `
local epoch, offset = log_head(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return {epoch, offset}
`)

// replayScript: KEYS: meta, log. ARGV: epoch candidate, expected epoch, after, limit (0: all),
// the epoch and offset the caller last saw (not the client's cursor: a client cannot make
// the log start over). Returns {0, epoch} on an epoch mismatch, {2, epoch, oldest offset}
// when entries after `after` were trimmed, else {1, epoch, {XRANGE entries}}: the stream
// entries that hold the offsets after `after` (up to after + limit), whole (see
// luaEntryFirst); the caller cuts them to the offsets asked for.
var replayScript = redis.NewScript(luaLogHead + luaEntryFirst + `
local epoch, last = log_head(KEYS[1], KEYS[2], ARGV[1], ARGV[5], ARGV[6])
if epoch ~= ARGV[2] then return {0, epoch} end
local after = tonumber(ARGV[3])
if after >= last then return {1, epoch, {}} end
local start = string.format('%d', after + 1)
local got
if ARGV[4] == '0' then
  got = redis.call('XRANGE', KEYS[2], start, '+')
else
  local upto = after + tonumber(ARGV[4])
  got = redis.call('XRANGE', KEYS[2], start, string.format('%d', upto))
  if upto < last then -- the entry holding upto may end after it
    local more = redis.call('XRANGE', KEYS[2], string.format('%d', upto + 1), '+', 'COUNT', 1)
    if #more > 0 then got[#got + 1] = more[1] end
  end
end
-- The first entry got is the one holding after + 1, or, when that was trimmed, the oldest.
local oldest = last + 1
if #got > 0 then oldest = entry_first(got[1][1]) end
if after + 1 < oldest then return {2, epoch, oldest} end
return {1, epoch, got}
`)

// luaEntryFirst returns the first offset a log entry holds, by its ID: "<last>-<first>" for
// a batch, "<offset>-0" for an entry of one event as written before batches (field "e").
const luaEntryFirst = `
local function entry_first(id)
  local l, f = string.match(id, '^(%d+)-(%d+)$')
  if f == '0' then return tonumber(l) end
  return tonumber(f)
end
`

// luaNowMs is Redis's clock: now_ms for lease expiry times, now_us as the floor of fencing
// tokens.
const luaNowMs = `
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function now_ms()
  return math.floor(now_us() / 1000)
end
`

// acquireScript: KEYS: lease, token counter. ARGV: owner, ttl ms.
// Returns {0, owner, token} when another owner holds the lease, else {1, token, expires ms,
// no history}: no history is 1 when the counter did not exist (no lease was ever granted, or
// Redis lost its data).
// The token is max(INCR counter, Redis TIME in microseconds), so it keeps growing when a
// failover lost the counter. Microseconds rather than milliseconds keep two acquisitions
// within one millisecond after such a loss distinct; the values stay below 2^53, exact in
// Lua's doubles, until the year 2255.
var acquireScript = redis.NewScript(luaNowMs + `
local cur = redis.call('HMGET', KEYS[1], 'owner', 'token')
if cur[1] and cur[1] ~= ARGV[1] then return {0, cur[1], cur[2] or '0'} end
local t = redis.call('INCR', KEYS[2])
local nohistory = 0
if t == 1 then nohistory = 1 end
local now = now_us()
if t < now then
  t = now
  redis.call('SET', KEYS[2], string.format('%d', t))
end
local tok = string.format('%d', t)
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', tok)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, tok, math.floor(now / 1000) + tonumber(ARGV[2]), nohistory}
`)

// renewScript: KEYS: lease. ARGV: owner, token, ttl ms. Returns {0} when the lease is gone or
// another's (it is never re-created), else {1, expires ms}.
var renewScript = redis.NewScript(luaNowMs + `
local cur = redis.call('HMGET', KEYS[1], 'owner', 'token')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then return {0} end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, now_ms() + tonumber(ARGV[3])}
`)

// releaseScript: KEYS: lease. ARGV: owner, token. Deletes the lease only if still held.
var releaseScript = redis.NewScript(`
local cur = redis.call('HMGET', KEYS[1], 'owner', 'token')
if cur[1] == ARGV[1] and cur[2] == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// markServingScript records that owner serves the PBX's commands until now+ttl and drops
// servers whose mark expired. KEYS: servers. ARGV: owner, ttl ms.
var markServingScript = redis.NewScript(luaNowMs + `
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
`)

// pickServerScript chooses where a command goes: the lease owner if it serves, nobody if it
// does not, and any serving instance when there is no lease. KEYS: lease, servers.
// Returns the server's owner name, or "" when nobody can take the command.
var pickServerScript = redis.NewScript(luaNowMs + `
local now = now_ms()
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then
  local exp = redis.call('ZSCORE', KEYS[2], owner)
  if exp and tonumber(exp) > now then return owner end
  return ''
end
local any = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. string.format('%d', now), '+inf', 'LIMIT', 0, 1)
return any[1] or ''
`)

// sendScript queues a command request for a server that is (still) serving.
// KEYS: servers, the server's request queue. ARGV: server, request, ttl ms of the queue.
// Returns 0 when the server does not serve, 1 when queued.
var sendScript = redis.NewScript(luaNowMs + `
local exp = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not exp or tonumber(exp) <= now_ms() then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return 1
`)
