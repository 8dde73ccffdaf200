"""The HTTP plumbing shared by pages and the API, below both: the data-version response cache
(`cache`), conditional requests (`conditional`), gzip for safe answers (`compression`), the
query parameters an answer reads (`params`), `?format=` on the pages (`formats`), the
database-outage middleware and 503 handler (`middleware`) and the client address
(`client_address`). It imports nothing from the pages, the API or the admin; what they add to it
(the API's rate limit on cache hits) they register."""
