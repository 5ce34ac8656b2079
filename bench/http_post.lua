-- wrk: POST /v1/cases/{id}/attestations over BENCH_CASES seeded resolved
-- cases (ids 1..N, counsellor 1). The first request per case creates the
-- attestation (202); later ones find it (200): both are the API's real work.
local cases = tonumber(os.getenv("BENCH_CASES") or "1000")
local token = os.getenv("BENCH_TOKEN")
wrk.method = "POST"
wrk.body = '{"counsellorId":1}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
local n = 0
request = function()
    n = n + 1
    return wrk.format(nil, "/v1/cases/" .. ((n % cases) + 1) .. "/attestations")
end
