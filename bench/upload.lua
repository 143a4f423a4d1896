-- wrk script: POST /api/uploads (presign issuance: quota listing, ticket row, presigned POST policy), round-robin
-- over the seeded users' tokens (BENCH_TOKENS, comma-separated): one user's quota decisions are serialized by
-- design, so one token would measure that lock, not the path
local tokens = {}
for t in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do tokens[#tokens + 1] = t end
local body = '{"fileName":"bench.png","contentType":"image/png","size":1024}'
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1]}, body)
end
