-- wrk script: POST one Pyze event as `ferry load` sends it, over and over: the event of median
-- length in PYZE_EVENTS (an NDJSON file written by `ferry convert` with
-- bench/mappings/pyze_events.yaml), with the sentAt member and the headers ferry adds. The
-- sandbox then does the same work per request as for ferry's own requests (the shipped sample
-- of pyze_event.lua is shorter and has fewer members), and wrk sends a fixed request, so that
-- no Lua runs per request.
local path = os.getenv("PYZE_EVENTS") or error("set PYZE_EVENTS to an NDJSON file of Pyze events")
local events = {}
for line in io.lines(path) do
  if #line > 1 then events[#events + 1] = line end
end
if #events == 0 then error("no events in " .. path) end
table.sort(events, function(a, b) return #a < #b end)
local event = events[math.floor((#events + 1) / 2)]
wrk.method = "POST"
wrk.path = "/pyze/v1/events"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "ferry/0.1"
wrk.headers["Accept"] = "application/json"
wrk.body = event:sub(1, #event - 1) .. ',"sentAt":"2026-01-01T00:00:00.000Z"}'
