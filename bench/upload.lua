-- wrk script: POST /api/uploads (presign issuance: quota check, ticket row, presigned POST policy)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.body = '{"fileName":"bench.png","contentType":"image/png","size":1024}'
