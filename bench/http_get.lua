-- wrk: GET /v1/cases/{id}/attestations over the seeded cases.
local cases = tonumber(os.getenv("BENCH_CASES") or "1000")
local token = os.getenv("BENCH_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local n = 0
request = function()
    n = n + 1
    return wrk.format("GET", "/v1/cases/" .. ((n % cases) + 1) .. "/attestations")
end
