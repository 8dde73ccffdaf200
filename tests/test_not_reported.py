""" "Not reported since": a recommendation whose latest approved update is older than the period
(TRACKER_NOT_REPORTED_MONTHS, 24 by default; none at all counts from its forum's date, or for an
undated forum from the day it was loaded) is flagged on pages, in lists, the API and the exports,
and filtered with `not_reported=true|false`. A derived flag beside the status, never a change of it."""

import datetime
import json

import pytest
import time_machine

from tracker import services
from tracker.models import Recommendation
from tracker.models.status import not_reported_cutoff, not_reported_since

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def clock():
    with time_machine.travel(datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(
    ("on", "cutoff"),
    [
        (datetime.date(2026, 11, 30), datetime.date(2024, 11, 30)),
        (datetime.date(2028, 2, 29), datetime.date(2026, 2, 28)),  # the day clamped to the month
        (datetime.date(2026, 1, 15), datetime.date(2024, 1, 15)),
    ],
)
def test_the_cutoff_is_the_period_in_calendar_months(on, cutoff):
    assert not_reported_cutoff(on) == cutoff


def test_the_period_is_a_setting(settings):
    settings.TRACKER_NOT_REPORTED_MONTHS = 6
    assert not_reported_cutoff(datetime.date(2026, 11, 30)) == datetime.date(2026, 5, 30)
    assert not_reported_since(datetime.date(2026, 5, 29), datetime.date(2026, 11, 30)) == datetime.date(2026, 5, 29)
    assert not_reported_since(datetime.date(2026, 5, 30), datetime.date(2026, 11, 30)) is None


@pytest.fixture
def three(clock, make_forum, make_recommendation, actor_a, secretariat_user):
    """Old (forum of 2007, never reported), recent (reported three months ago) and undated (an
    undated forum's recommendation loaded a year ago, never reported)."""
    old = make_recommendation(code="NR-OLD", forum=make_forum(start_date=datetime.date(2007, 7, 9)))
    recent = make_recommendation(code="NR-RECENT", forum=make_forum(start_date=datetime.date(2007, 7, 9)))
    services.record_progress(
        recent,
        user=secretariat_user,
        actor=actor_a,
        status="in_progress",
        summary="Work began.",
        reported_on=datetime.date(2026, 8, 30),
    )
    with time_machine.travel(datetime.datetime(2025, 11, 1, tzinfo=datetime.UTC), tick=False):
        undated = make_recommendation(code="NR-UNDATED", forum=make_forum(start_date=None))
    return old, recent, undated


def api_flags(client, query=""):
    body = client.get(f"/api/v1/recommendations/?page_size=100{query}").json()
    return {row["code"]: row["not_reported_since"] for row in body["results"] if row["code"].startswith("NR-")}


def test_the_api_flags_from_the_last_report_else_the_forum_else_the_loading_day(client, three):
    assert api_flags(client) == {"NR-OLD": "2007-07-09", "NR-RECENT": None, "NR-UNDATED": None}
    assert api_flags(client, "&not_reported=true") == {"NR-OLD": "2007-07-09"}
    assert set(api_flags(client, "&not_reported=false")) == {"NR-RECENT", "NR-UNDATED"}
    # The status is untouched: the old one still has no information.
    assert Recommendation.objects.get(code="NR-OLD").status == "no_information"


def test_time_passing_flags_what_went_silent(client, three, clock):
    clock.move_to(datetime.datetime(2028, 12, 1, tzinfo=datetime.UTC))
    assert api_flags(client) == {"NR-OLD": "2007-07-09", "NR-RECENT": "2026-08-30", "NR-UNDATED": "2025-11-01"}


def test_as_of_counts_the_period_back_from_that_date(client, three):
    # On 1 Jan 2009 the 2007 forum was 18 months old: not flagged then.
    assert api_flags(client, "&as_of=2009-01-01")["NR-OLD"] is None
    assert api_flags(client, "&as_of=2009-08-01")["NR-OLD"] == "2007-07-09"


def test_pages_show_the_flag_and_filter_on_it(client, three):
    old, recent, _undated = three
    listing = client.get("/recommendations/?not_reported=true").content.decode()
    assert "NR-OLD" in listing and "NR-RECENT" not in listing
    assert "Not reported since 9 Jul 2007" in listing
    assert 'name="not_reported"' in listing
    detail = client.get(old.get_absolute_url()).content.decode()
    assert "Not reported since 9 Jul 2007" in detail
    assert "Not reported since" not in client.get(recent.get_absolute_url()).content.decode()


def body(response):
    return b"".join(response.streaming_content).decode()


def test_exports_carry_the_flag(client, three):
    rows = {row["code"]: row for row in json.loads(body(client.get("/recommendations/?format=json")))}
    assert rows["NR-OLD"]["not_reported_since"] == "2007-07-09"
    assert rows["NR-RECENT"]["not_reported_since"] is None
    csv_text = body(client.get("/recommendations/?format=csv&q=NR-OLD")).removeprefix("\ufeff")
    header, line = csv_text.splitlines()[:2]
    assert dict(zip(header.split(","), line.split(","), strict=False))["not_reported_since"] == "2007-07-09"
    flagged = json.loads(body(client.get("/recommendations/?format=json&not_reported=true")))
    assert {row["code"] for row in flagged if row["code"].startswith("NR-")} == {"NR-OLD"}


@pytest.mark.parametrize("on", [datetime.date(1, 1, 1), datetime.date(2, 1, 1), datetime.date(2, 12, 31)])
def test_a_date_within_the_period_of_year_one_has_the_earliest_date_as_its_cutoff(on):
    # Found by Schemathesis: `as_of=0002-01-01` with `not_reported` answered 500 (year 0 is out of range).
    assert not_reported_cutoff(on) == datetime.date.min
    assert not_reported_since(datetime.date.min, on) is None  # nothing is older than the first day


@pytest.mark.parametrize("months", [24, 100_000])
def test_every_surface_answers_an_as_of_date_in_the_first_years(client, three, settings, months):
    settings.TRACKER_NOT_REPORTED_MONTHS = months
    for path in (
        "/api/v1/recommendations/?not_reported=false&as_of=0002-01-01",
        "/api/v1/recommendations/summary/?not_reported=true&as_of=0002-01-01",
        "/api/v1/recommendations/?as_of=0001-01-01",
        "/recommendations/?not_reported=true&as_of=0002-01-01",
        f"{three[0].get_absolute_url()}?as_of=0002-01-01",
    ):
        response = client.get(path)
        assert response.status_code in (200, 400), (path, response.status_code)
    rows = json.loads(body(client.get("/recommendations/?format=json&as_of=0002-01-01")))
    assert all(row["not_reported_since"] is None for row in rows)
