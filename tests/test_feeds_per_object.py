"""Atom feeds per recommendation (`?recommendation=`), per reporting actor (`?reporting_actor=`),
per forum and per theme, each titled for what it holds; the pages point at their own feed."""

import feedparser
import pytest


def feed(client, query):
    response = client.get("/feeds/updates/" + query)
    assert response.status_code == 200, response.content[:300]
    return feedparser.parse(response.content)


def test_a_recommendations_feed_holds_its_updates_only(client, brussels_2007):
    everything = feed(client, "")
    assert len(everything.entries) >= 2
    code = everything.entries[0].title.split(":")[0]
    parsed = feed(client, f"?recommendation={code}")
    assert parsed.entries and all(entry.title.startswith(code + ":") for entry in parsed.entries)
    assert parsed.feed.title == f"Migration Dialogues Tracker: progress updates on {code}"
    assert len(parsed.entries) < len(everything.entries)


def test_a_reporting_actors_feed_and_its_title(client, brussels_2007):
    everything = feed(client, "")
    name = everything.entries[0].author
    from tracker.models import Actor

    actor = Actor.objects.get(name=name)
    parsed = feed(client, f"?reporting_actor={actor.slug}")
    assert parsed.entries and all(entry.author == name for entry in parsed.entries)
    assert parsed.feed.title == f"Migration Dialogues Tracker: progress updates reported by {name}"
    assert parsed.feed.link.endswith(actor.get_absolute_url())


def test_forum_and_theme_feeds_are_named(client, brussels_2007):
    from tracker.models import Forum, Theme

    forum = Forum.objects.filter(recommendations__updates__review_state="approved").first()
    theme = Theme.objects.first()
    assert feed(client, f"?forum={forum.slug}").feed.title.endswith(f"in {forum.title}")
    assert feed(client, f"?theme={theme.slug}").feed.title.endswith(f"on {theme.name}")
    assert feed(client, "?status=implemented").feed.title.endswith("(filtered)")


@pytest.mark.parametrize("query", ["?recommendation=NO-SUCH", "?reporting_actor=no-such"])
def test_a_feed_of_nothing_is_a_400(client, brussels_2007, query):
    assert client.get("/feeds/updates/" + query).status_code == 400


def test_pages_announce_their_own_feed(client, brussels_2007):
    from tracker.models import Actor, Recommendation

    recommendation = Recommendation.objects.filter(updates__review_state="approved").first()
    page = client.get(recommendation.get_absolute_url()).content.decode()
    assert f'href="/feeds/updates/?recommendation={recommendation.code}"' in page
    actor = Actor.objects.filter(updates__review_state="approved").first()
    assert (
        f'href="/feeds/updates/?reporting_actor={actor.slug}"' in client.get(actor.get_absolute_url()).content.decode()
    )
