-- wrk script of bench_appraisals.py: each request is the next line of a prepared file,
-- "METHOD<TAB>path<TAB>bearer token or empty<TAB>JSON body or empty<TAB>1 if a repeat vote",
-- split between wrk threads by line number so no two requests cast the same voter's ballot.
-- Usage: wrk -s bench_appraisals.lua ... -- <file> <threads>
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, count = args[1], tonumber(args[2])
  requests_, repeats_ = {}, {}
  local n = 0
  for line in io.lines(file) do
    if n % count == tid then
      local method, path, token, body, again = line:match("^(%u+)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(%d?)$")
      local headers = {}
      if body ~= "" then headers["Content-Type"] = "application/json" end
      if token ~= "" then headers["Authorization"] = "Bearer " .. token end
      requests_[#requests_ + 1] = wrk.format(method, path, headers, body ~= "" and body or nil)
      repeats_[#requests_] = again == "1"
    end
    n = n + 1
  end
  sent, repeats, exhausted, statuses = 0, 0, 0, {}
  fallback = wrk.format("GET", "/bench/ok")
end

function request()
  sent = sent + 1
  local r = requests_[sent]
  if r == nil then
    exhausted = exhausted + 1
    return fallback
  end
  if repeats_[sent] then repeats = repeats + 1 end
  return r
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals, repeated, short = {}, 0, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
    end
    repeated = repeated + thread:get("repeats")
    short = short + thread:get("exhausted")
  end
  local parts = {}
  for status, n in pairs(totals) do parts[#parts + 1] = string.format('"%d": %d', status, n) end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, ' ..
    '"p99_ms": %.3f, "socket_errors": %d, "repeats": %d, "exhausted": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.timeout, repeated, short, table.concat(parts, ", ")))
end
