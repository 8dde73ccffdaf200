"""/feeds/updates/: an Atom feed of approved progress updates, for everything or any browse filter,
read here by a real feed parser."""

import feedparser
import pytest


def parse(client, query=""):
    response = client.get(f"/feeds/updates/{query}")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_the_feed_is_atom_with_one_entry_per_approved_update(client, brussels_2007):
    feed = parse(client)

    assert feed.version == "atom10"
    assert feed.feed.title == "Migration Dialogues Tracker: progress updates"
    assert len(feed.entries) == 5
    assert all("must never be public" not in entry.summary for entry in feed.entries)


def test_an_entry_names_the_recommendation_status_actor_and_links_to_the_timeline(client, brussels_2007):
    feed = parse(client, "?q=circular")

    latest = feed.entries[0]
    assert latest.title == "GFMD-2007-RT1-06: Implemented, reported by GFMD Support Unit"
    assert latest.author == "GFMD Support Unit"
    assert latest.link.startswith("http://testserver/recommendations/GFMD-2007-RT1-06/#update-")
    assert "Reported on 2008-09-09." in latest.summary
    assert 'href="https://example.org/mauritius-2008"' in latest.summary
    assert [tag.term for tag in latest.tags] == ["Implemented"]


def test_the_feed_accepts_the_browse_filters(client, brussels_2007):
    assert len(parse(client, "?forum=gfmd-2008-manila").entries) == 0
    assert {e.title.split(":")[0] for e in parse(client, "?status=implemented").entries} == {"GFMD-2007-RT1-06"}
    assert len(parse(client, "?status=implemented&status=stalled").entries) == 3
    assert [e.title.split(":")[0] for e in parse(client, "?theme=remittances").entries] == ["GFMD-2007-RT2-01"]
    filtered = parse(client, "?forum=gfmd-2007-brussels&status=in_progress")
    # Titled for what it holds (issue 14: every filtered feed used to be just "(filtered)").
    assert filtered.feed.title == (
        "Migration Dialogues Tracker: progress updates in First Global Forum on Migration and Development, "
        "Brussels (filtered)"
    )
    assert filtered.feed.link == "http://testserver/recommendations/?forum=gfmd-2007-brussels&status=in_progress"


def test_the_feed_as_of_a_date_has_the_updates_reported_until_then(client, brussels_2007):
    feed = parse(client, "?as_of=2008-06-01")

    assert [entry.title.split(":")[0] for entry in feed.entries] == ["GFMD-2007-RT1-06"]


def test_user_text_in_the_feed_is_escaped(client, brussels_2007, make_update):
    make_update(brussels_2007.recs["GFMD-2007-RT4-02"], brussels_2007.actors.belgium, summary="<script>x</script>")

    response = client.get("/feeds/updates/")

    assert b"<script>" not in response.content
    assert b"&amp;lt;script&amp;gt;" in response.content


def test_pages_advertise_the_feed(client, brussels_2007):
    response = client.get("/recommendations/?theme=remittances")

    assert b'type="application/atom+xml"' in response.content
    assert b'href="/feeds/updates/?theme=remittances"' in response.content


@pytest.mark.parametrize("query", ["?forum=nowhere", "?status=done", "?as_of=soon"])
def test_invalid_feed_filters_answer_400(client, brussels_2007, query):
    assert client.get(f"/feeds/updates/{query}").status_code == 400


@pytest.mark.parametrize("size", [4, 30])
def test_the_feed_takes_the_same_queries_for_any_number_of_updates(
    client, public_site_of_size, django_assert_num_queries, size
):
    recs = public_site_of_size(size)
    # 1 the data version (tracker/http/cache.py), 2 the latest approved updates with recommendation,
    # forum, actor and evidence document.
    with django_assert_num_queries(2):
        assert client.get("/feeds/updates/").status_code == 200
    # Plus 1 to validate a filter that names an object.
    with django_assert_num_queries(3):
        assert client.get(f"/feeds/updates/?forum={recs[0].forum.slug}&status=implemented").status_code == 200
