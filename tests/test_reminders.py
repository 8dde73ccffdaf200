"""Reminders of reporting cycles (`manage.py send_reminders`, tracker.reminders), through a real
SMTP server, on a controlled clock: the digests at each offset go to the right focal points and
list exactly what is still missing, never twice, nothing to an actor that reported everything;
the chase list and the response rate move with the submissions and approvals; overdue cycles
close; a dry run writes nothing."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import call_command

from tests.test_cycles import build_world, draft, opened, report
from tracker import cycles, services
from tracker.models import EmailNotice, ProgressUpdate, ReportingCycle
from tracker.models.cycles import days_after

UTC = datetime.UTC


@pytest.fixture
def world(make_process, make_forum, make_recommendation, make_actor, make_theme, make_user, secretariat_user):
    return build_world(
        make_process, make_forum, make_recommendation, make_actor, make_theme, make_user, secretariat_user
    )


def at(day, hour=7):
    """6:15-ish on `day` (a date), when cron runs the command."""
    return datetime.datetime(day.year, day.month, day.day, hour, 15, tzinfo=UTC)


def send(day, *args, capture):
    """Run `send_reminders --today day` at that time; the notices are sent at commit. Returns its output."""
    out = io.StringIO()
    with time_machine.travel(at(day), tick=False), capture(execute=True):
        call_command("send_reminders", "--today", day.isoformat(), *args, stdout=out)
    return out.getvalue()


def listed(message):
    """The recommendation codes a digest lists (its "- CODE — text" lines) and their notes."""
    text = message.get_content().replace("\r\n", "\n")
    return re.findall(r"^- (\S+) — .*?(\(returned for revision: revise your update\))?$", text, re.M)


def digests(inbox):
    """{sorted recipients: (subject, [(code, note)])} of the messages received, in order."""
    return [(rcpts, message["Subject"], listed(message)) for rcpts, message in inbox.messages]


A = ["deputy-a@example.org", "focal-a@example.org"]
B = ["focal-b@example.org"]


def test_a_whole_cycle_reminds_the_right_people_of_exactly_what_is_missing_once(
    world, smtp, settings, client, django_capture_on_commit_callbacks
):
    settings.TRACKER_REMINDER_OFFSETS = [7, -14, 0]
    capture = django_capture_on_commit_callbacks
    # Asked: A about BRU-01 and BRU-02, B about BRU-02 and BRU-03; C (whose focal point has no
    # e-mail address) about all four Brussels recommendations.
    cycle = opened(world, extra_actors=[world.c])
    day = datetime.date

    # Before 14 days ahead of the deadline (31 March): nothing is due.
    assert "0 reminder(s) written" in send(day(2027, 3, 16), capture=capture)
    assert smtp.messages == []

    # 14 days before: a digest to each actor's focal points, listing what it has not reported.
    output = send(day(2027, 3, 17), capture=capture)
    assert "Sent reminder:2027-call-for-updates:gov-a:-14: 2 missing, to " + ", ".join(A) in output
    assert digests(smtp) == [
        (
            A,
            "[Tracker] 2027 call for updates: 2 progress updates from Government of A due by 31 Mar 2027",
            [("BRU-01", ""), ("BRU-02", "")],
        ),
        (
            B,
            "[Tracker] 2027 call for updates: 2 progress updates from Government of B due by 31 Mar 2027",
            [("BRU-02", ""), ("BRU-03", "")],
        ),
    ]
    body = smtp.messages[0][1].get_content()
    assert "http://127.0.0.1:8000/admin/tracker/progressupdate/add/?recommendation=" in body
    assert f"/admin/tracker/reportingcycle/{cycle.pk}/chase/" in body
    # Run again the same day: nothing more.
    assert "0 reminder(s) written" in send(day(2027, 3, 17), capture=capture)
    assert len(smtp.messages) == 2
    assert EmailNotice.objects.filter(event=EmailNotice.Event.REMINDER, state="sent").count() == 2

    # A submits BRU-01; B submits both, one approved, one returned.
    submitted_a = report(world, world.recs.a1, world.a, world.focal_a, at(day(2027, 3, 20), 10))
    with capture(execute=True):
        approved_b = report(world, world.recs.ab, world.b, world.focal_b, at(day(2027, 3, 20), 10))
        returned_b = report(world, world.recs.b1, world.b, world.focal_b, at(day(2027, 3, 20), 10))
        with time_machine.travel(at(day(2027, 3, 21), 10), tick=False):
            services.approve_update(approved_b, user=world.secretariat)
            services.return_update(returned_b, user=world.secretariat, note="Which costs, by how much?")
    smtp.messages.clear()  # the review e-mails
    assert (
        "Response rate in 2027 call for updates: 1 of 8 asked (13 %)"
        in client.get(world.brussels.get_absolute_url()).content.decode()
    )
    summaries = {
        s.actor.slug: (s.missing, s.waiting, s.approved) for s in cycles.actor_summaries(cycle, day(2027, 3, 22))
    }
    assert summaries == {"gov-a": (1, 1, 0), "gov-b": (1, 0, 1), "gov-c": (4, 0, 0)}

    # On the day: only what is still missing: A's BRU-02 (BRU-01 waits for review), B's returned BRU-03.
    send(day(2027, 3, 31), capture=capture)
    assert digests(smtp) == [
        (
            A,
            "[Tracker] 2027 call for updates: 1 progress update from Government of A due by 31 Mar 2027",
            [("BRU-02", "")],
        ),
        (
            B,
            "[Tracker] 2027 call for updates: 1 progress update from Government of B due by 31 Mar 2027",
            [("BRU-03", "(returned for revision: revise your update)")],
        ),
    ]
    smtp.messages.clear()

    # B revises and the secretariat approves: B has reported everything.
    with capture(execute=True), time_machine.travel(at(day(2027, 4, 2), 10), tick=False):
        services.revise_update(returned_b, user=world.focal_b, changes={"summary": "Costs down to 5 %."})
        services.approve_update(returned_b, user=world.secretariat)
        services.approve_update(submitted_a, user=world.secretariat)
    smtp.messages.clear()
    assert (
        "Response rate in 2027 call for updates: 3 of 8 asked (38 %)"
        in client.get(world.brussels.get_absolute_url()).content.decode()
    )

    # 7 days after: overdue, to A only; nothing to B, which reported everything.
    assert "0 reminder(s) written" in send(day(2027, 4, 6), capture=capture)
    send(day(2027, 4, 7), capture=capture)
    send(day(2027, 4, 8), capture=capture)
    assert digests(smtp) == [
        (
            A,
            "[Tracker] 2027 call for updates: 1 progress update from Government of A overdue since 31 Mar 2027",
            [("BRU-02", "")],
        ),
    ]
    assert "The deadline of the reporting cycle" in smtp.messages[0][1].get_content()
    keys = set(EmailNotice.objects.filter(event=EmailNotice.Event.REMINDER).values_list("key", flat=True))
    assert keys == {
        "reminder:2027-call-for-updates:gov-a:-14",
        "reminder:2027-call-for-updates:gov-b:-14",
        "reminder:2027-call-for-updates:gov-a:0",
        "reminder:2027-call-for-updates:gov-b:0",
        "reminder:2027-call-for-updates:gov-a:7",
    }

    # 30 days after the deadline the cycle is still open; the day after, the command closes it.
    assert "0 reminder(s) written, 0 cycle(s) closed." in send(day(2027, 4, 30), capture=capture)
    output = send(day(2027, 5, 1), capture=capture)
    assert "Closed cycle 2027-call-for-updates (deadline 2027-03-31)" in output
    cycle.refresh_from_db()
    assert cycle.state == ReportingCycle.State.CLOSED and cycle.closed_at == at(day(2027, 5, 1))
    assert len(smtp.messages) == 1


def test_a_late_first_run_sends_only_the_latest_reminder_due(world, smtp, django_capture_on_commit_callbacks):
    opened(world)
    send(datetime.date(2027, 4, 9), capture=django_capture_on_commit_callbacks)
    assert [(rcpts, subject) for rcpts, subject, _items in digests(smtp)] == [
        (A, "[Tracker] 2027 call for updates: 2 progress updates from Government of A overdue since 31 Mar 2027"),
        (B, "[Tracker] 2027 call for updates: 2 progress updates from Government of B overdue since 31 Mar 2027"),
    ]
    assert set(EmailNotice.objects.values_list("key", flat=True)) == {
        "reminder:2027-call-for-updates:gov-a:7",
        "reminder:2027-call-for-updates:gov-b:7",
    }


def test_reminders_only_for_open_cycles_and_only_to_active_focal_points_with_an_address(
    world, smtp, make_user, django_capture_on_commit_callbacks
):
    from tracker import roles

    draft(world, name="A draft")
    cycle = opened(world)
    world.focal_a2.is_active = False
    world.focal_a2.save()
    # The secretariat user of actor A is no focal point: not a recipient.
    make_user("boss-a", groups=[roles.SECRETARIAT], actor=world.a, email="boss-a@example.org")
    send(datetime.date(2027, 3, 31), capture=django_capture_on_commit_callbacks)
    assert [rcpts for rcpts, _message in smtp.messages] == [["focal-a@example.org"], B]
    assert cycle.requests.count() == 4


def test_a_dry_run_prints_what_would_be_done_and_writes_nothing(world, smtp, django_capture_on_commit_callbacks):
    cycle = opened(world)
    output = send(datetime.date(2027, 5, 2), "--dry-run", capture=django_capture_on_commit_callbacks)
    assert "Would close cycle 2027-call-for-updates (deadline 2027-03-31)" in output
    assert "Dry run, nothing written: 0 reminder(s) and 1 closing(s) would be done." in output
    cycle.refresh_from_db()
    assert cycle.state == "open"
    output = send(datetime.date(2027, 4, 1), "--dry-run", capture=django_capture_on_commit_callbacks)
    assert "Would send reminder:2027-call-for-updates:gov-a:0: 2 missing, to " + ", ".join(A) in output
    assert "Would send reminder:2027-call-for-updates:gov-b:0: 2 missing" in output
    assert not EmailNotice.objects.exists() and smtp.messages == []
    assert ProgressUpdate.objects.count() == 0


def test_a_bad_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "31/03/2027")


def test_a_long_digest_lists_the_first_items_and_counts_the_rest(
    world, smtp, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("tracker.reminders.MAX_LISTED", 1)
    opened(world)
    send(datetime.date(2027, 3, 17), capture=django_capture_on_commit_callbacks)
    rcpts, message = smtp.messages[0]
    assert rcpts == A and listed(message) == [("BRU-01", "")]
    assert "2 recommendations still have no progress update" in message.get_content()
    assert "… and 1 more." in message.get_content()


def test_a_cycle_whose_deadline_is_the_last_day_of_the_calendar_neither_closes_nor_stops_the_others(
    world, smtp, django_capture_on_commit_callbacks
):
    # Its deadline plus the days before it closes, or plus a reminder's offset, falls outside the
    # calendar: that arithmetic raised OverflowError and took the whole daily run down.
    late = opened(world, name="Open for ever", deadline=datetime.date.max, close_after_days=30)
    cycle = opened(world, name="2027 call for updates")
    assert late.closes_on() == datetime.date.max
    send(datetime.date(2027, 5, 2), capture=django_capture_on_commit_callbacks)
    late.refresh_from_db()
    cycle.refresh_from_db()
    assert (late.state, cycle.state) == (ReportingCycle.State.OPEN, ReportingCycle.State.CLOSED)
    assert list(ReportingCycle.objects.overdue(datetime.date.max)) == []
    assert [days_after(datetime.date.min, -1), days_after(datetime.date.max, 10**12)] == [
        datetime.date.min,
        datetime.date.max,
    ]
