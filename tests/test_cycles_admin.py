"""Reporting cycles in the staff product (create, open, close, the cycle page with its counts and
chase list, the CSV export) and on the public pages (the response rate of each cycle)."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from tests.test_cycles import DEADLINE, OPENED_AT, OPENS, build_world, draft, opened, report
from tracker import cycles, services
from tracker.models import ProgressUpdate, ReportingCycle

DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(make_process, make_forum, make_recommendation, make_actor, make_theme, make_user, secretariat_user):
    return build_world(
        make_process, make_forum, make_recommendation, make_actor, make_theme, make_user, secretariat_user
    )


def chase_url(cycle, actor=None):
    url = reverse("admin:tracker_reportingcycle_chase", args=[cycle.pk])
    return url + (f"?actor={actor.slug}" if actor else "")


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def at(client):
    """at(when, user): travel to `when` (an aware datetime) logged in as `user` (sessions expire,
    so the login happens at the travelled time). Use as a context manager."""

    class At:
        def __init__(self, when, user):
            self.travel = time_machine.travel(when, tick=False)
            self.user = user

        def __enter__(self):
            self.travel.start()
            client.force_login(self.user)
            return client

        def __exit__(self, *exc):
            self.travel.stop()

    return At


def test_the_secretariat_creates_a_draft_with_the_public_filters_then_opens_it_in_one_click(world, at):
    with at(OPENED_AT - 10 * DAY, world.secretariat) as client:
        refused = client.post(
            reverse("admin:tracker_reportingcycle_add"),
            {"name": "Call 2027", "opens_on": "2027-03-01", "deadline": "2027-02-01", "forum": ["brussels"]},
        )
        assert refused.status_code == 200
        assert "cannot be before the opening date" in refused.content.decode()
        response = client.post(
            reverse("admin:tracker_reportingcycle_add"),
            {
                "name": "Call 2027",
                "opens_on": "2027-03-01",
                "deadline": "2027-03-31",
                "forum": ["brussels", "manila"],
                "status": ["no_information"],
                "extra_actors": [world.c.pk],
            },
            follow=True,
        )
        cycle = ReportingCycle.objects.get()
        page = response.content.decode()
        assert cycle.recommendation_filter == {"forum": ["brussels", "manila"], "status": ["no_information"]}
        assert list(cycle.extra_actors.all()) == [world.c]
        assert "Created the draft Call 2027: 5 recommendations, 10 pairs to ask when it opens." in page
        assert "opening it now would ask 10" in page
        # A GET never opens it.
        client.get(reverse("admin:tracker_reportingcycle_open", args=[cycle.pk]))
        assert ReportingCycle.objects.get().state == "draft"

    with at(OPENED_AT, world.secretariat) as client:
        response = client.post(reverse("admin:tracker_reportingcycle_open", args=[cycle.pk]), follow=True)
        assert "Opened Call 2027: 10 pairs asked, due 31 Mar 2027." in response.content.decode()
        assert cycle.requests.count() == 10
        again = client.post(reverse("admin:tracker_reportingcycle_open", args=[cycle.pk]), follow=True)
        assert "not a draft" in again.content.decode()
        response = client.post(reverse("admin:tracker_reportingcycle_close", args=[cycle.pk]), follow=True)
        assert "Closed Call 2027" in response.content.decode()
        assert ReportingCycle.objects.get().state == "closed"


def test_a_focal_point_reads_only_its_actors_pairs_and_cannot_open_or_close(world, at):
    hidden = draft(world, name="Still a draft")
    asks_b_only = opened(world, name="B only", filters={"forum": "brussels", "q": "remittance"})
    cycle = opened(world)
    with at(OPENED_AT + DAY, world.focal_a) as client:
        listed = client.get(reverse("admin:tracker_reportingcycle_changelist")).content.decode()
        assert "2027 call for updates" in listed and "Still a draft" not in listed and "B only" not in listed
        for other in (hidden, asks_b_only):
            assert client.get(chase_url(other)).status_code == 403
        # Its own actor's pairs only, whatever actor the URL names.
        page = client.get(chase_url(cycle, world.b)).content.decode()
        assert "Government of A" in page and "Government of B" not in page
        assert "BRU-02 — Establish migrant resource centres" in page
        rows = csv_rows(client.get(reverse("admin:tracker_reportingcycle_chase_csv", args=[cycle.pk])))
        assert {row[2] for row in rows[1:]} == {"gov-a"}
        for action in ("open", "close"):
            response = client.post(reverse(f"admin:tracker_reportingcycle_{action}", args=[hidden.pk]))
            assert response.status_code == 403
        assert client.get(reverse("admin:tracker_reportingcycle_add")).status_code == 403
    hidden.refresh_from_db()
    assert hidden.state == "draft"


def test_the_cycle_page_counts_and_chases_what_is_missing_waiting_and_overdue(world, at):
    cycle = opened(world)
    report(world, world.recs.a1, world.a, world.focal_a, OPENED_AT + DAY)  # submitted
    returned = report(world, world.recs.ab, world.a, world.focal_a, OPENED_AT + DAY)
    with time_machine.travel(OPENED_AT + 2 * DAY, tick=False):
        services.return_update(returned, user=world.secretariat, note="Which cities?")
    report(world, world.recs.b1, world.b, world.secretariat, OPENED_AT + DAY)  # approved at once

    with at(OPENED_AT + 3 * DAY, world.secretariat) as client:
        response = client.get(chase_url(cycle))
        summaries = {
            s.actor.slug: (s.asked, s.missing, s.waiting, s.approved, s.overdue) for s in response.context["summaries"]
        }
        assert summaries == {"gov-a": (2, 1, 1, 0, 0), "gov-b": (2, 1, 0, 1, 0)}
        totals = response.context["totals"]
        assert (totals.asked, totals.not_reported, totals.returned, totals.submitted, totals.approved) == (
            4,
            1,
            1,
            1,
            1,
        )

        page = client.get(chase_url(cycle, world.a))
        assert [item.recommendation.code for item in page.context["missing"]] == ["BRU-02"]
        assert [item.recommendation.code for item in page.context["waiting"]] == ["BRU-01"]
        assert not page.context["overdue"]
        assert "returned for revision" in page.content.decode()
        # A returned update is revised, not reported again.
        assert reverse("admin:tracker_progressupdate_change", args=[returned.pk]) in page.content.decode()

    with at(datetime.datetime(2027, 4, 1, 8, tzinfo=datetime.UTC), world.secretariat) as client:
        response = client.get(chase_url(cycle))
        assert {s.actor.slug: s.overdue for s in response.context["summaries"]} == {"gov-a": 2, "gov-b": 1}
        assert "overdue" in client.get(chase_url(cycle, world.a)).content.decode()


def test_the_chase_list_exports_as_csv_with_formula_cells_escaped(world, at):
    cycle = opened(world)
    update = report(world, world.recs.a1, world.a, world.focal_a, OPENED_AT + DAY)
    with at(datetime.datetime(2027, 4, 2, 8, tzinfo=datetime.UTC), world.secretariat) as client:
        response = client.get(reverse("admin:tracker_reportingcycle_chase_csv", args=[cycle.pk]))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="chase-2027-call-for-updates.csv"'
        rows = csv_rows(response)
    assert rows[0][:9] == [
        "cycle",
        "deadline",
        "actor",
        "actor_name",
        "recommendation",
        "recommendation_label",
        "state",
        "state_label",
        "overdue",
    ]
    assert rows[1:] == [
        [
            "2027-call-for-updates",
            "2027-03-31",
            "gov-a",
            "Government of A",
            "BRU-01",
            "BRU-01 — Develop codes of ethical recruitment",
            "submitted",
            "Submitted, waiting for review",
            "yes",
            str(update.pk),
            "2027-03-02T09:00:00+00:00",
        ],
        [
            "2027-call-for-updates",
            "2027-03-31",
            "gov-a",
            "Government of A",
            "BRU-02",
            "BRU-02 — Establish migrant resource centres",
            "not_reported",
            "Not yet reported",
            "yes",
            "",
            "",
        ],
        [
            "2027-call-for-updates",
            "2027-03-31",
            "gov-b",
            "Government of B",
            "BRU-02",
            "BRU-02 — Establish migrant resource centres",
            "not_reported",
            "Not yet reported",
            "yes",
            "",
            "",
        ],
        # The text starts with "=": a spreadsheet would run it; the apostrophe makes it text.
        # The label starts with the code, so it is not escaped; the actor name test below is.
        [
            "2027-call-for-updates",
            "2027-03-31",
            "gov-b",
            "Government of B",
            "BRU-03",
            'BRU-03 — =HYPERLINK("x") reduce remittance costs',
            "not_reported",
            "Not yet reported",
            "yes",
            "",
            "",
        ],
    ]


def test_a_cell_that_starts_a_formula_is_escaped(world, at, make_actor):
    evil = make_actor(slug="evil", name="=cmd|' /C calc'!A0")
    world.recs.a1.actors.add(evil)
    cycle = opened(world)
    with at(OPENED_AT + DAY, world.secretariat) as client:
        rows = csv_rows(client.get(reverse("admin:tracker_reportingcycle_chase_csv", args=[cycle.pk]) + "?actor=evil"))
    assert rows[1][3] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("extra", [0, 15])
def test_the_chase_list_of_one_actor_takes_the_same_queries_at_any_size(
    world, at, make_recommendation, django_assert_num_queries, extra
):
    for n in range(extra):
        make_recommendation(code=f"BRU-Y{n:03d}", forum=world.brussels, actors=[world.a, world.b])
    cycle = opened(world)
    for rec in list(cycle.requests.filter(actor=world.a).select_related("recommendation"))[::2]:
        report(world, rec.recommendation, world.a, world.focal_a, OPENED_AT + DAY)
    with at(OPENED_AT + 2 * DAY, world.focal_a) as client:
        client.get(chase_url(cycle))  # the session's first request
        # 1 the session, 2 the user, 3 the cycle, 4 the user's groups (roles), 5 whether the
        # cycle asks the focal point's actor, 6 that actor, 7 and 8 the user's and its groups'
        # permissions (the admin's menu), 9 the cycle's extra actors, 10 the actor's pairs
        # counted by state (one GROUP BY), 11 its missing pairs, 12 those waiting for review.
        with django_assert_num_queries(12):
            response = client.get(chase_url(cycle))
        assert len(response.context["missing"]) + len(response.context["waiting"]) == 2 + extra


# The public pages: each cycle's response rate.


def test_the_public_pages_show_each_cycles_response_rate_counting_approved_updates_only(world, client):
    draft(world, name="Not yet open")
    cycle = opened(world)
    report(world, world.recs.ab, world.a, world.focal_a, OPENED_AT + DAY)  # a submission: private
    page = client.get(world.brussels.get_absolute_url()).content.decode()
    assert "Response rate in 2027 call for updates: 0 of 4 asked (0 %)" in page
    assert "Not yet open" not in page

    report(world, world.recs.ab, world.b, world.secretariat, OPENED_AT + DAY)
    approved = ProgressUpdate.objects.get(actor=world.a, recommendation=world.recs.ab)
    with time_machine.travel(OPENED_AT + 2 * DAY, tick=False):
        services.approve_update(approved, user=world.secretariat)
    page = client.get(world.brussels.get_absolute_url()).content.decode()
    assert "Response rate in 2027 call for updates: 2 of 4 asked (50 %)" in page
    page = client.get(world.recs.ab.get_absolute_url()).content.decode()
    assert "Response rate in 2027 call for updates: 2 of 2 asked (100 %)" in page
    # Manila's pages: not covered by the cycle, no rate.
    assert "Response rate" not in client.get(world.manila.get_absolute_url()).content.decode()
    assert "Response rate" not in client.get(world.recs.m1.get_absolute_url()).content.decode()

    with time_machine.travel(OPENED_AT + 40 * DAY, tick=False):
        cycles.close_cycle(cycle, user=world.secretariat)
    second = opened(world, at=OPENED_AT + 50 * DAY, name="Second call", deadline=DEADLINE + 60 * DAY)
    page = client.get(world.recs.ab.get_absolute_url()).content.decode()
    assert "Response rate in Second call: 0 of 2 asked (0 %)" in page
    assert "Response rate in 2027 call for updates: 2 of 2 asked (100 %)" in page
    assert second.opens_on == OPENS


def test_the_secretariat_moves_the_deadline_of_an_open_cycle_but_not_before_its_opening(world, at):
    cycle = opened(world)
    url = reverse("admin:tracker_reportingcycle_change", args=[cycle.pk])
    data = {"name": "2027 call for updates", "close_after_days": 30, "notes": ""}
    with at(OPENED_AT + DAY, world.secretariat) as client:
        refused = client.post(url, data | {"deadline": "2027-02-01"})
        assert refused.status_code == 200 and "cannot be before the opening date" in refused.content.decode()
        assert client.post(url, data | {"deadline": "2027-04-15", "opens_on": "2026-01-01"}).status_code == 302
    cycle.refresh_from_db()
    assert (cycle.opens_on, cycle.deadline) == (OPENS, datetime.date(2027, 4, 15))
    with at(OPENED_AT + DAY, world.focal_a) as client:
        assert client.post(url, data | {"deadline": "2027-05-15"}).status_code == 403
    cycle.refresh_from_db()
    assert cycle.deadline == datetime.date(2027, 4, 15)


def test_a_long_chase_list_lists_the_first_pairs_and_says_the_csv_has_them_all(world, at, monkeypatch):
    monkeypatch.setattr("tracker.admin.cycles.LISTED", 1)
    cycle = opened(world)
    with at(OPENED_AT + DAY, world.focal_a) as client:
        response = client.get(chase_url(cycle))
    assert [item.recommendation.code for item in response.context["missing"]] == ["BRU-01"]
    assert "Missing: 2 recommendations" in response.content.decode()
    assert "The first 1 are listed; the CSV export has them all." in response.content.decode()
