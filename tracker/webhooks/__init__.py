"""Outbound webhooks: the domain's part.

- `services`: registering, changing and deleting endpoints, writing a delivery for an event,
  sending one again (the admin and the API call these);
- `tasks`: the background task that signs and sends a delivery, retries it, and disables an
  endpoint that keeps failing (with an e-mail to the secretariat);
- `net`: which URLs and addresses may be reached, and the HTTP request pinned to the checked
  address.

What a delivery carries (the API representation of the resource) is rendered by the API's
receiver of `tracker.events.published` (`tracker.api.webhooks.receivers`). docs/webhooks.md
describes the whole feature for receivers.
"""
