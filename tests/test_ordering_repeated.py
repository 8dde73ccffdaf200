"""`ordering` repeated means the same as comma-separated, on the API and the browse page (before,
only the last value counted)."""

API = "/api/v1/recommendations/"


def codes(client, query):
    return [row["code"] for row in client.get(API + query).json()["results"]]


def test_repeated_ordering_is_the_comma_separated_one(client, api_world, api_fresh_cache):
    # A pair of sort keys whose combination differs from the last key alone, so the test tells them apart.
    pairs = [(first, second) for first in ("status", "-status") for second in ("code", "-code")]
    first, second = next(
        (first, second)
        for first, second in pairs
        if codes(client, f"?ordering={first},{second}&page_size=100")
        != codes(client, f"?ordering={second}&page_size=100")
    )
    comma = codes(client, f"?ordering={first},{second}&page_size=100")
    repeated = codes(client, f"?ordering={first}&ordering={second}&page_size=100")
    assert repeated == comma


def test_the_browse_page_reads_both_too(client, api_world, api_fresh_cache):
    comma = client.get("/recommendations/?ordering=-status,-code").content.decode()
    repeated = client.get("/recommendations/?ordering=-status&ordering=-code").content.decode()
    first = [line for line in comma.splitlines() if 'class="code"' in line]
    assert first and first == [line for line in repeated.splitlines() if 'class="code"' in line]
