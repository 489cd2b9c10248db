-- wrk script: POST one Toplyne user-events batch of 500 events (generated, about 64 KB) to a
-- running `ferry sandbox`. Every request carries the same body, so the sandbox's ledger grows
-- by 500 records per request and reports them all as duplicates.
local events = {}
for i = 1, 500 do
  events[i] = string.format(
    '{"userId":"user-%06d","eventName":"page_view","timestamp":%d,' ..
    '"eventProperties":{"plan":"pro","seats":%d,"path":"/docs/page-%d","referrer":"https://example.com/?q=%d"}}',
    i, 1700000000 + i, i % 50, i, i * 7)
end
wrk.method = "POST"
wrk.path = "/toplyne/v1/upload/users/events"
wrk.headers["Authorization"] = "Bearer sandbox-toplyne-token"
wrk.headers["Content-Type"] = "application/json; charset=utf-8"
wrk.body = '{"events":[' .. table.concat(events, ",") .. ']}'
