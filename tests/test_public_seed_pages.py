"""Every public page renders on the seed data (fixtures/*.json), so real texts, undated forums
and missing optional fields cannot break a page."""

import csv
import io
from pathlib import Path

import pytest

from tracker.models import Actor, Forum, Recommendation, Theme

FIXTURES = sorted(str(path) for path in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))

pytestmark = pytest.mark.skipif(not FIXTURES, reason="no seed fixtures in fixtures/")


def test_every_public_page_renders_on_the_seed_data(client, seed):
    urls = ["/", "/forums/", "/recommendations/", "/feeds/updates/", "/?as_of=2007-12-31"]
    urls += [forum.get_absolute_url() for forum in Forum.objects.all()]
    urls += [rec.get_absolute_url() for rec in Recommendation.objects.all()]
    urls += [actor.get_absolute_url() for actor in Actor.objects.all()]
    urls += [theme.get_absolute_url() for theme in Theme.objects.all()]

    for url in urls:
        assert client.get(url).status_code == 200, url


def test_undated_forums_come_last_in_the_forum_lists(client, seed):
    dashboard = client.get("/").context["dashboard"]
    forums = [breakdown.obj for breakdown in dashboard.forums]

    dated = [forum.start_date for forum in forums if forum.start_date]
    assert dated == sorted(dated)
    assert forums[-1].start_date is None or all(forum.start_date for forum in forums)


def test_the_seed_brussels_page_has_its_four_roundtables(client, seed):
    response = client.get("/forums/gfmd-2007-brussels/")

    assert [section.roundtable.code for section in response.context["sections"]] == ["1", "2", "3", "4"]


def test_the_seed_exports_hold_every_recommendation(client, seed):
    response = client.get("/recommendations/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert sorted(row["code"] for row in rows) == sorted(Recommendation.objects.values_list("code", flat=True))
