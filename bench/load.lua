-- wrk script: rotate over the portal's busiest reads as a logged-in employee (session cookie) and
-- as the O&M portal (Bearer token). Paths and credentials come from the environment (bench/loadtest).
local paths = {}
for p in string.gmatch(os.getenv("CC_LOAD_PATHS") or "/", "[^,]+") do paths[#paths + 1] = p end
local cookie = "sessionid=" .. (os.getenv("CC_LOAD_SESSION") or "")
local bearer = "Bearer " .. (os.getenv("CC_LOAD_TOKEN") or "")
local counter = 0
local statuses = {}

request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local headers = {}
  if string.sub(path, 1, 5) == "/api/" then headers["Authorization"] = bearer else headers["Cookie"] = cookie end
  return wrk.format("GET", path, headers)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 then wrk.thread:stop() end
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors: connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, req/s %.1f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
