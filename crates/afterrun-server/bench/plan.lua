-- wrk script: POST /api/plan with a check-in read from the file named by $CHECKIN (run.sh
-- writes the doms-classic vignette's check-in there). `Sec-Fetch-Site: same-origin` passes the
-- personal-mode same-origin check as a browser's request would.
local path = os.getenv("CHECKIN") or "checkin.json"
local file = assert(io.open(path, "r"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Sec-Fetch-Site"] = "same-origin"

-- Count answers that are not 200, so a fast stream of refusals cannot pass for a result.
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200 answers: %d\n", bad))
end
