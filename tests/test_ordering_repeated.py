"""`ordering` repeated means the same as comma-separated, on the API and the browse page (before,
only the last value counted)."""

API = "/api/v1/recommendations/"


def codes(client, query):
    return [row["code"] for row in client.get(API + query).json()["results"]]


def test_repeated_ordering_is_the_comma_separated_one(client, api_world, api_fresh_cache):
    comma = codes(client, "?ordering=-status,code&page_size=100")
    repeated = codes(client, "?ordering=-status&ordering=code&page_size=100")
    assert repeated == comma
    # And it is not what the last value alone gives, so the test tells them apart.
    assert codes(client, "?ordering=code&page_size=100") != comma


def test_the_browse_page_reads_both_too(client, api_world, api_fresh_cache):
    comma = client.get("/recommendations/?ordering=-status,-code").content.decode()
    repeated = client.get("/recommendations/?ordering=-status&ordering=-code").content.decode()
    first = [line for line in comma.splitlines() if 'class="code"' in line]
    assert first and first == [line for line in repeated.splitlines() if 'class="code"' in line]
