"""`?format=` on the public pages (tracker/http/formats.py): the browse list keeps its exports; any
format a page does not offer answers 406 Not Acceptable with a page in the site's style naming the
formats the page has and linking the same data in the API, instead of HTML that was not asked
for. Feeds, the API and the admin are not pages and keep their own handling."""

import pytest

API = "http://testserver/api/v1"


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/", f"{API}/summary/"),
        ("/forums/", f"{API}/forums/"),
        ("/forums/gfmd-2007-brussels/", f"{API}/forums/gfmd-2007-brussels/"),
        ("/recommendations/GFMD-2007-RT1-01/", f"{API}/recommendations/GFMD-2007-RT1-01/"),
        ("/themes/labour-mobility/", f"{API}/themes/labour-mobility/"),
        ("/actors/belgium/", f"{API}/actors/belgium/"),
        ("/recommendations/", f"{API}/recommendations/"),
    ],
)
@pytest.mark.parametrize("requested", ["json", "xml", "pdf"])
def test_a_format_a_page_does_not_offer_is_406_naming_its_formats_and_the_api(
    client, brussels_2007, path, api, requested
):
    if path == "/recommendations/" and requested == "json":
        requested = "yaml"  # the list offers JSON
    response = client.get(f"{path}?format={requested}")

    assert response.status_code == 406
    assert response["Content-Type"].startswith("text/html")
    assert response.has_header("Content-Security-Policy") and response["X-Frame-Options"] == "DENY"
    content = response.content.decode()
    assert "Format not available" in content and f"“{requested}”" in content
    assert f'href="{api}"' in content
    assert f'href="{path}">HTML</a>' in content
    assert 'class="site-header"' in content  # in the site's style


def test_the_406_of_the_list_links_its_exports_with_the_filters(client, brussels_2007):
    response = client.get("/recommendations/?forum=gfmd-2007-brussels&format=ods")

    assert response.status_code == 406
    content = response.content.decode()
    for output in ("csv", "json", "xlsx"):
        assert f'href="/recommendations/?forum=gfmd-2007-brussels&amp;format={output}">{output.upper()}</a>' in content
    assert 'href="/recommendations/?forum=gfmd-2007-brussels">HTML</a>' in content


@pytest.mark.parametrize("output", ["csv", "json", "xlsx"])
def test_the_list_keeps_its_exports(client, brussels_2007, output):
    response = client.get(f"/recommendations/?format={output}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{output}"')


@pytest.mark.parametrize("path", ["/", "/forums/", "/forums/gfmd-2007-brussels/", "/recommendations/"])
@pytest.mark.parametrize("query", ["?format=html", "?format=", ""])
def test_html_or_no_format_is_the_page(client, brussels_2007, path, query):
    response = client.get(path + query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_a_page_with_form_errors_still_says_406_for_a_format_it_does_not_offer(client, brussels_2007):
    assert client.get("/forums/?as_of=2008-13-01").status_code == 400
    assert client.get("/forums/?as_of=2008-13-01&format=json").status_code == 406


def test_a_page_without_an_api_equivalent_says_so(client, brussels_2007):
    response = client.get("/follow/?url=/forums/gfmd-2007-brussels/&format=json")
    assert response.status_code == 406
    assert "This page has no API equivalent" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/feeds/updates/?format=json", "application/atom+xml"),
        ("/api/v1/forums/?format=json", "application/json"),
        ("/api/schema/?format=json", "application/vnd.oai.openapi+json"),
    ],
)
def test_feeds_and_the_api_are_not_pages(client, brussels_2007, path, content_type):
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith(content_type)


@pytest.mark.django_db(transaction=True)  # the response cache keeps nothing rendered inside a transaction
def test_a_406_is_never_cached(client, brussels_2007):
    assert client.get("/forums/")["X-Cache"] == "miss" and client.get("/forums/")["X-Cache"] == "hit"
    for _ in range(2):
        response = client.get("/forums/?format=json")
        assert response.status_code == 406 and not response.has_header("ETag")
        assert not response.has_header("X-Cache")
