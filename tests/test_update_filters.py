"""The updates list filters by theme and process like the recommendations list, and refuses a
recommendation code, forum, theme, process or actor that names nothing with the same 400 (before,
`theme` and `process` were ignored and an unknown `recommendation` gave an empty 200)."""

import pytest

API = "/api/v1/updates/"


def codes(client, query):
    response = client.get(API + query)
    assert response.status_code == 200, response.json()
    return sorted({row["recommendation"]["code"] for row in response.json()["results"]})


def test_theme_and_process_filter_the_updates(client, api_world, api_fresh_cache):
    everything = codes(client, "?page_size=100")
    for theme in (api_world.labour, api_world.remittances):
        themed = codes(client, f"?theme={theme.slug}&page_size=100")
        expected = [code for code in everything if theme.recommendations.filter(code=code).exists()]
        assert themed == expected
    assert codes(client, f"?theme={api_world.remittances.slug}&page_size=100") != everything
    by_process = codes(client, f"?process={api_world.gfmd.slug}&page_size=100")
    assert by_process and all(code.startswith("GFMD") for code in by_process)


@pytest.mark.parametrize("name", ["recommendation", "forum", "theme", "process", "actor"])
def test_a_reference_that_names_nothing_is_a_400_naming_it(client, api_world, api_fresh_cache, name):
    response = client.get(f"{API}?{name}=no-such-thing")
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_a_known_recommendation_with_no_public_update_is_an_empty_200(client, api_world, api_fresh_cache):
    response = client.get(f"{API}?recommendation={api_world.data.code}")
    assert response.status_code == 200 and response.json()["count"] == 0
