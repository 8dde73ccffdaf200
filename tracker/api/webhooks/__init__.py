"""The API's part of outbound webhooks: the endpoints' resource at /api/v1/webhooks/ (`views`,
`serializers`) and the receiver that renders each event's data with the API's serializers
(`receivers`). The domain's part (rules, delivery, retries) is `tracker.webhooks`."""
