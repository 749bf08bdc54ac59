--[[
  gate-batch.lua: several acquires and releases of the politeness gate in one script call, in order, each exactly
  as acquire.lua or release.lua would run it alone (the same functions: lib/gate-acquire.lua, lib/gate-release.lua).
  The gate sends what one turn of the worker's event loop asked for (a release lingers to travel with the next
  acquires, see gate.ts) as one call: one script run and one command instead of one per step. Nothing else runs
  between the steps, as nothing could between those of a pipeline that ran them one after another.

  KEYS[1]… every step's keys, one step after another (acquire: 4, release: 2; see acquire.lua, release.lua)
  ARGV[1]  steps
  then per step: its kind ('a' acquire, 'r' release), its number of keys, its number of arguments, its arguments
  Returns  one reply per step, in order: what acquire.lua or release.lua returns; a step that failed (e.g. a key
           of the wrong type) is an error reply in its place, and the other steps still run, as in a pipeline
]]
--#include worker/lua/lib/gate-acquire.lua
--#include worker/lua/lib/gate-release.lua

local steps = tonumber(ARGV[1])
local out = {}
local k, a = 1, 2
for i = 1, steps do
  local kind, nk, na = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local keys = {unpack(KEYS, k, k + nk - 1)}
  local argv = {unpack(ARGV, a + 3, a + 2 + na)}
  k = k + nk
  a = a + 3 + na
  local fn = gateRelease
  if kind == 'a' then fn = gateAcquire end
  local ok, res = pcall(fn, keys, argv)
  if ok then
    out[i] = res == nil and false or res
  elseif type(res) == 'table' and res.err then
    out[i] = res
  else
    out[i] = {err = tostring(res)}
  end
end
return out
