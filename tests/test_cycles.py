"""Reporting cycles (tracker.cycles, tracker.models.cycles): drafts, opening, the asked pairs and
their derived states, closing by hand and after the deadline, the chase list's counts and
`asked_of()`. The admin, the public response rate and reminders have their own files
(test_cycles_admin.py, test_reminders.py), the API test_api_cycles.py."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tracker import cycles, events, roles, services
from tracker.models import ProgressUpdate, Recommendation, ReportingCycle

UTC = datetime.UTC
# The cycle of these tests: opens 1 March 2027, deadline 31 March, closes 30 days after.
OPENS, DEADLINE = datetime.date(2027, 3, 1), datetime.date(2027, 3, 31)
OPENED_AT = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(make_process, make_forum, make_recommendation, make_actor, make_theme, make_user, secretariat_user):
    return build_world(
        make_process, make_forum, make_recommendation, make_actor, make_theme, make_user, secretariat_user
    )


def build_world(make_process, make_forum, make_recommendation, make_actor, make_theme, make_user, secretariat_user):
    """Two forums of one process; actors A, B and C with focal points (A has two; C's has no
    e-mail); recommendations: a1 (A), ab (A and B), b1 (B), none (nobody responsible), in Brussels;
    m1 (A) in Manila. Other test files make their `world` fixture with this."""
    process = make_process(slug="gfmd", acronym="GFMD")
    brussels = make_forum(slug="brussels", process=process, start_date=datetime.date(2007, 7, 9))
    manila = make_forum(slug="manila", process=process, start_date=datetime.date(2008, 10, 27))
    labour = make_theme(slug="labour", name="Labour")
    a = make_actor(slug="gov-a", name="Government of A")
    b = make_actor(slug="gov-b", name="Government of B")
    c = make_actor(slug="gov-c", name="Government of C")
    recs = SimpleNamespace(
        a1=make_recommendation(code="BRU-01", forum=brussels, text="Develop codes of ethical recruitment", actors=[a]),
        ab=make_recommendation(
            code="BRU-02", forum=brussels, text="Establish migrant resource centres", actors=[a, b], themes=[labour]
        ),
        b1=make_recommendation(
            code="BRU-03", forum=brussels, text='=HYPERLINK("x") reduce remittance costs', actors=[b]
        ),
        none=make_recommendation(code="BRU-04", forum=brussels, text="Greater sharing of information"),
        m1=make_recommendation(code="MAN-01", forum=manila, text="Protect the rights of migrants", actors=[a]),
    )
    return SimpleNamespace(
        brussels=brussels,
        manila=manila,
        labour=labour,
        a=a,
        b=b,
        c=c,
        recs=recs,
        secretariat=secretariat_user,
        focal_a=make_user("focal-a", groups=[roles.FOCAL_POINT], actor=a, email="focal-a@example.org"),
        focal_a2=make_user("focal-a2", groups=[roles.FOCAL_POINT], actor=a, email="deputy-a@example.org"),
        focal_b=make_user("focal-b", groups=[roles.FOCAL_POINT], actor=b, email="focal-b@example.org"),
        focal_c=make_user("focal-c", groups=[roles.FOCAL_POINT], actor=c, email=""),
    )


def draft(world, **kwargs):
    kwargs.setdefault("name", "2027 call for updates")
    kwargs.setdefault("opens_on", OPENS)
    kwargs.setdefault("deadline", DEADLINE)
    kwargs.setdefault("filters", {"forum": "brussels"})
    return cycles.create_cycle(user=world.secretariat, **kwargs)


def opened(world, at=OPENED_AT, **kwargs):
    cycle = draft(world, **kwargs)
    with time_machine.travel(at, tick=False):
        return cycles.open_cycle(cycle, user=world.secretariat)


def pairs(cycle):
    return sorted(cycle.requests.values_list("actor__slug", "recommendation__code"))


def states(cycle, **filters):
    rows = cycle.requests.filter(**filters).with_state().values_list("actor__slug", "recommendation__code", "state")
    return {(actor, code): state for actor, code, state in rows}


def report(world, rec, actor, user, when, status=Recommendation.Status.IN_PROGRESS):
    with time_machine.travel(when, tick=False):
        return services.record_progress(rec, user=user, actor=actor, status=status, summary="Done in part.")


# Drafts.


def test_a_draft_stores_the_filters_and_asks_nobody_yet(world):
    cycle = draft(world, filters={"forum": ["brussels"], "theme": "labour", "status": []}, notes="First round")

    assert cycle.state == ReportingCycle.State.DRAFT
    assert cycle.slug == "2027-call-for-updates"
    assert cycle.recommendation_filter == {"forum": ["brussels"], "theme": ["labour"]}
    assert cycle.close_after_days == 30
    assert cycle.created_by == world.secretariat
    assert cycle.opened_at is None and not cycle.requests.exists()
    assert cycles.selection_size(cycle.recommendation_filter) == (1, 2)  # BRU-02, asked of A and B
    assert draft(world).slug == "2027-call-for-updates-2"


def test_the_closing_delay_comes_from_the_setting(world, settings):
    settings.TRACKER_CYCLE_CLOSE_AFTER_DAYS = 12
    assert draft(world).close_after_days == 12
    assert draft(world, close_after_days=0).close_after_days == 0


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"deadline": OPENS - datetime.timedelta(days=1)}, "deadline"),
        ({"name": "  "}, "name"),
        ({"filters": {"colour": "red"}}, "filters"),
        ({"filters": {"forum": "nowhere"}}, "filters.forum"),
        ({"filters": {"status": "finished"}}, "filters.status"),
        ({"close_after_days": -1}, "close_after_days"),
    ],
)
def test_a_draft_with_bad_input_is_refused_naming_the_field(world, kwargs, field):
    with pytest.raises(ValidationError) as error:
        draft(world, **kwargs)
    assert field in error.value.message_dict
    assert not ReportingCycle.objects.exists()


def test_a_selection_that_asks_nobody_is_refused(world):
    # BRU-04 has no responsible actor: nobody to ask unless an actor is added.
    with pytest.raises(ValidationError, match="ask nobody"):
        draft(world, filters={"q": "sharing"})
    with pytest.raises(ValidationError, match="ask nobody"):
        draft(world, filters={"forum": "brussels", "q": "no such words anywhere"})
    cycle = draft(world, filters={"q": "sharing"}, extra_actors=[world.c])
    assert cycles.selection_size(cycle.recommendation_filter, [world.c]) == (1, 1)


def test_only_the_secretariat_creates_opens_and_closes_cycles(world):
    with pytest.raises(PermissionDenied):
        cycles.create_cycle(user=world.focal_a, name="Mine", opens_on=OPENS, deadline=DEADLINE, filters={})
    cycle = draft(world)
    with pytest.raises(PermissionDenied):
        cycles.open_cycle(cycle, user=world.focal_a)
    cycle = opened(world)
    with pytest.raises(PermissionDenied):
        cycles.close_cycle(cycle, user=world.focal_a)
    cycle.refresh_from_db()
    assert cycle.state == ReportingCycle.State.OPEN


# Opening: the asked pairs.


def test_opening_asks_each_responsible_actor_and_every_extra_actor_and_publishes(world):
    published = []

    def receiver(sender, event_type, obj, **kwargs):
        published.append((event_type, obj.slug, obj.state, obj.requests.count()))

    events.published.connect(receiver)
    try:
        cycle = opened(world, extra_actors=[world.c, world.b])
    finally:
        events.published.disconnect(receiver)

    assert cycle.state == ReportingCycle.State.OPEN
    assert cycle.opened_at == OPENED_AT
    assert pairs(cycle) == [
        ("gov-a", "BRU-01"),
        ("gov-a", "BRU-02"),
        ("gov-b", "BRU-01"),
        ("gov-b", "BRU-02"),
        ("gov-b", "BRU-03"),
        ("gov-b", "BRU-04"),
        ("gov-c", "BRU-01"),
        ("gov-c", "BRU-02"),
        ("gov-c", "BRU-03"),
        ("gov-c", "BRU-04"),
    ]
    # Inside the transaction, with the pairs written.
    assert published == [(events.CYCLE_OPENED, cycle.slug, "open", 10)]


def test_a_cycle_opens_once(world):
    cycle = opened(world)
    with pytest.raises(ValidationError, match="not a draft"):
        cycles.open_cycle(cycle, user=world.secretariat)
    stale = ReportingCycle.objects.get(pk=cycle.pk)
    stale.state = ReportingCycle.State.DRAFT  # as a second browser tab still shows it
    with time_machine.travel(OPENED_AT, tick=False), pytest.raises(ValidationError, match="not a draft"):
        cycles.open_cycle(stale, user=world.secretariat)
    assert cycle.requests.count() == 4
    cycles.close_cycle(cycle, user=world.secretariat)
    with pytest.raises(ValidationError, match="not a draft"):
        cycles.open_cycle(cycle, user=world.secretariat)


def test_a_cycle_past_its_deadline_does_not_open(world):
    cycle = draft(world)
    with time_machine.travel(datetime.datetime(2027, 4, 1, 9, tzinfo=UTC)), pytest.raises(ValidationError):
        cycles.open_cycle(cycle, user=world.secretariat)
    assert ReportingCycle.objects.get().state == ReportingCycle.State.DRAFT


def test_later_changes_of_status_and_actors_do_not_move_pairs_in_or_out(world):
    cycle = opened(world, filters={"forum": "brussels", "status": "no_information"})
    before = pairs(cycle)
    assert len(before) == 4
    # BRU-01 changes status (no longer "no information"), BRU-03 loses B and gains C.
    report(world, world.recs.a1, world.a, world.secretariat, OPENED_AT + datetime.timedelta(days=1))
    world.recs.b1.actors.set([world.c])

    assert Recommendation.objects.get(pk=world.recs.a1.pk).status == "in_progress"
    assert pairs(cycle) == before


# Derived states.


def test_each_pair_state_is_derived_from_the_updates_recorded_while_the_cycle_is_open(world):
    recs, day = world.recs, datetime.timedelta(days=1)
    # Before the cycle opened: never counts, even approved.
    report(world, recs.a1, world.a, world.secretariat, OPENED_AT - day)
    report(world, recs.ab, world.b, world.focal_b, OPENED_AT - day)
    cycle = opened(world)
    assert set(states(cycle).values()) == {"not_reported"}

    submitted = report(world, recs.a1, world.a, world.focal_a, OPENED_AT + day)
    returned = report(world, recs.ab, world.a, world.focal_a, OPENED_AT + day)
    with time_machine.travel(OPENED_AT + 2 * day, tick=False):
        services.return_update(returned, user=world.secretariat, note="Say what changed.")
    approved = report(world, recs.ab, world.b, world.focal_b, OPENED_AT + day)
    with time_machine.travel(OPENED_AT + 2 * day, tick=False):
        services.approve_update(approved, user=world.secretariat)
    # Another actor's update about B's recommendation is not B's report.
    report(world, recs.b1, world.a, world.secretariat, OPENED_AT + day)

    with time_machine.travel(OPENED_AT + 3 * day, tick=False):
        assert states(cycle) == {
            ("gov-a", "BRU-01"): "submitted",
            ("gov-a", "BRU-02"): "returned",
            ("gov-b", "BRU-02"): "approved",
            ("gov-b", "BRU-03"): "not_reported",
        }
        # A later submission after an approval leaves the pair approved; one after a return makes it submitted.
        report(world, recs.ab, world.b, world.focal_b, OPENED_AT + 3 * day)
        services.revise_update(returned, user=world.focal_a, changes={"summary": "Centres opened in two cities."})
        assert states(cycle)[("gov-b", "BRU-02")] == "approved"
        assert states(cycle)[("gov-a", "BRU-02")] == "submitted"
        assert cycle.requests.with_state().count_by_state() == {
            "not_reported": 1,
            "submitted": 2,
            "returned": 0,
            "approved": 1,
            "total": 4,
        }
    assert submitted.review_state == ProgressUpdate.ReviewState.SUBMITTED


def test_after_closing_nothing_recorded_counts_but_approving_what_came_in_on_time_does(world):
    cycle = opened(world)
    day = datetime.timedelta(days=1)
    on_time = report(world, world.recs.a1, world.a, world.focal_a, OPENED_AT + day)
    with time_machine.travel(OPENED_AT + 40 * day, tick=False):
        cycles.close_cycle(cycle, user=world.secretariat)
    late = report(world, world.recs.ab, world.a, world.focal_a, OPENED_AT + 41 * day)
    with time_machine.travel(OPENED_AT + 42 * day, tick=False):
        services.approve_update(on_time, user=world.secretariat)
        services.approve_update(late, user=world.secretariat)
        assert states(cycle, actor=world.a) == {("gov-a", "BRU-01"): "approved", ("gov-a", "BRU-02"): "not_reported"}


def test_a_closed_cycle_cannot_close_again_and_closing_publishes(world):
    cycle = opened(world)
    published = []

    def receiver(sender, event_type, obj, **kwargs):
        published.append((event_type, obj.state))

    events.published.connect(receiver)
    try:
        cycles.close_cycle(cycle, user=world.secretariat)
    finally:
        events.published.disconnect(receiver)
    assert cycle.state == ReportingCycle.State.CLOSED and cycle.closed_at is not None
    with pytest.raises(ValidationError, match="only an open cycle"):
        cycles.close_cycle(cycle, user=world.secretariat)
    with pytest.raises(ValidationError, match="only an open cycle"):
        cycles.close_cycle(draft(world), user=world.secretariat)
    assert published == [(events.CYCLE_CLOSED, "closed")]


def test_overdue_cycles_close_the_day_after_deadline_plus_the_delay(world):
    cycle = opened(world, close_after_days=10)
    other = opened(world, name="Later", deadline=DEADLINE + datetime.timedelta(days=30))
    last_open_day = DEADLINE + datetime.timedelta(days=10)
    assert cycles.close_overdue_cycles(last_open_day) == []
    with time_machine.travel(datetime.datetime(2027, 4, 11, 6, 15, tzinfo=UTC), tick=False):
        closed = cycles.close_overdue_cycles(last_open_day + datetime.timedelta(days=1))
    assert [c.slug for c in closed] == [cycle.slug]
    cycle.refresh_from_db()
    other.refresh_from_db()
    assert cycle.state == "closed" and cycle.closed_at == datetime.datetime(2027, 4, 11, 6, 15, tzinfo=UTC)
    assert other.state == "open"


# Reads: counts, chase list, asked_of.


def test_the_chase_list_counts_per_actor_what_is_missing_waiting_and_overdue(world):
    cycle = opened(world)
    day = datetime.timedelta(days=1)
    report(world, world.recs.a1, world.a, world.focal_a, OPENED_AT + day)
    report(world, world.recs.b1, world.b, world.secretariat, OPENED_AT + day)

    before = {
        s.actor.slug: (s.asked, s.missing, s.waiting, s.approved, s.overdue)
        for s in cycles.actor_summaries(cycle, DEADLINE)
    }
    after = {
        s.actor.slug: (s.asked, s.missing, s.waiting, s.approved, s.overdue)
        for s in cycles.actor_summaries(cycle, DEADLINE + day)
    }
    assert before == {"gov-a": (2, 1, 1, 0, 0), "gov-b": (2, 1, 0, 1, 0)}
    assert after == {"gov-a": (2, 1, 1, 0, 2), "gov-b": (2, 1, 0, 1, 1)}
    items = cycles.chase_items(cycle, actor=world.a)
    assert [(item.recommendation.label, item.state) for item in items] == [
        ("BRU-01 — Develop codes of ethical recruitment", "submitted"),
        ("BRU-02 — Establish migrant resource centres", "not_reported"),
    ]
    assert items[0].latest_update_id == ProgressUpdate.objects.get(actor=world.a).pk


def grow(world, make_recommendation, n):
    """`n` more Brussels recommendations, each A's and B's, with updates before and in a cycle."""
    for i in range(n):
        make_recommendation(code=f"BRU-X{i:03d}", forum=world.brussels, actors=[world.a, world.b])


@pytest.mark.parametrize("extra", [0, 12])
def test_counts_and_asked_of_take_the_same_queries_at_any_size(
    world, make_recommendation, django_assert_num_queries, extra
):
    grow(world, make_recommendation, extra)
    second = opened(world, name="Second", filters={"forum": "manila"})
    cycle = opened(world)
    report(world, world.recs.a1, world.a, world.focal_a, OPENED_AT + datetime.timedelta(days=1))

    with django_assert_num_queries(1):
        counts = cycle.requests.with_state().count_by_state()
    assert counts["total"] == 4 + 2 * extra and counts["submitted"] == 1
    # Both cycles: 1 the open cycles with their counts of missing pairs, 2 the first items of each.
    with django_assert_num_queries(2):
        asked = cycles.asked_of(world.a, DEADLINE, limit=3)
    # Same deadline: the older cycle first.
    assert [(entry["cycle"].slug, entry["missing"], len(entry["items"])) for entry in asked] == [
        (second.slug, 1, 1),
        (cycle.slug, 1 + extra, min(3, 1 + extra)),
    ]
    assert asked[0]["deadline"] == DEADLINE and not asked[0]["overdue"]
    # 1 one GROUP BY on the pairs, 2 their actors.
    with django_assert_num_queries(2):
        cycles.actor_summaries(cycle, DEADLINE)
    with django_assert_num_queries(1):
        list(cycles.chase_items(cycle, actor=world.a))
    # Nobody asked of C: nothing, in one query.
    with django_assert_num_queries(1):
        assert cycles.asked_of(world.c, DEADLINE) == []
