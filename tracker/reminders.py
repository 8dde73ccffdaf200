"""Reminders of open reporting cycles: one e-mail digest per asked actor, to its focal points,
listing only what the actor still has to report.

`send_reminders(today)` is what `manage.py send_reminders` runs once a day (cron, see the README):

1. it closes the open cycles whose deadline + close_after_days has passed
   (`tracker.cycles.close_overdue_cycles`);
2. for each open cycle it finds the reminder due: of the offsets in days from the deadline in
   settings.TRACKER_REMINDER_OFFSETS (default [-14, 0, 7]), the latest one with
   today >= deadline + offset. Earlier offsets that a later due one supersedes are skipped, so a
   command that did not run for a while sends one reminder, not a burst;
3. for each actor of that cycle with pairs still *missing* (not yet reported, or returned), it
   writes one e-mail notice to the actor's focal points (active users of the Government focal
   point group with that actor and an e-mail address) with the key
   `reminder:<cycle slug>:<actor slug>:<offset>` (`tracker.notifications.queue_email`): a key is
   never written twice, so each reminder goes once however often the command runs. The notices
   are sent after commit by the background tasks. An actor that reported everything gets nothing.
   Each focal point gets it in their e-mail language (`tracker.models.StaffPreference`, English
   without one): one notice per language among the actor's focal points, the first (by language
   code) keyed as above, the others `<key>:<language>` (`tracker.notifications.queue_by_language`).

A dry run returns the same plan and writes nothing (no cycle closed, no notice).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.translation import ngettext

from tracker import roles
from tracker.cycles import close_overdue_cycles
from tracker.models import Actor, EmailNotice, ReportingCycle, RequestState
from tracker.models.cycles import days_after
from tracker.models.recommendations import first_words
from tracker.notifications import by_language, queue_by_language

# Items listed in one e-mail at most; the rest are counted, with the link to the chase list.
MAX_LISTED = 500


def reminder_offsets():
    """settings.TRACKER_REMINDER_OFFSETS (days from the deadline; negative: before it), sorted, unique."""
    return sorted({int(offset) for offset in getattr(settings, "TRACKER_REMINDER_OFFSETS", [-14, 0, 7])})


def due_offset(cycle, today, offsets=None):
    """The latest offset whose day (deadline + offset) is `today` or before, or None if none is due yet."""
    due = [offset for offset in offsets or reminder_offsets() if today >= days_after(cycle.deadline, offset)]
    return max(due) if due else None


def reminder_key(cycle, actor, offset):
    return f"reminder:{cycle.slug}:{actor.slug}:{offset}"


@dataclass
class Reminder:
    """One digest due: to `groups` (focal points' addresses by e-mail language, {code: sorted
    addresses}), about `items` of `actor` in `cycle`, each (code, label, state, recommendation id)."""

    cycle: ReportingCycle
    actor: Actor
    offset: int
    groups: dict
    items: list = field(default_factory=list)

    @property
    def recipients(self):
        """All the addresses, sorted."""
        return sorted(address for addresses in self.groups.values() for address in addresses)

    @property
    def key(self):
        return reminder_key(self.cycle, self.actor, self.offset)

    def subject(self, today):
        values = {
            "cycle": self.cycle.name,
            "count": len(self.items),
            "actor": self.actor.name,
            "deadline": format_date(self.cycle.deadline, "j M Y"),
        }
        if today > self.cycle.deadline:
            subject = ngettext(
                "[Tracker] %(cycle)s: %(count)s progress update from %(actor)s overdue since %(deadline)s",
                "[Tracker] %(cycle)s: %(count)s progress updates from %(actor)s overdue since %(deadline)s",
                len(self.items),
            )
        else:
            subject = ngettext(
                "[Tracker] %(cycle)s: %(count)s progress update from %(actor)s due by %(deadline)s",
                "[Tracker] %(cycle)s: %(count)s progress updates from %(actor)s due by %(deadline)s",
                len(self.items),
            )
        return subject % values

    def body(self, today):
        site = settings.SITE_URL.rstrip("/")
        add_url = site + reverse("admin:tracker_progressupdate_add")
        listed = self.items[:MAX_LISTED]
        context = {
            "cycle": self.cycle,
            "actor": self.actor,
            "overdue": today > self.cycle.deadline,
            "items": [
                {"label": label, "returned": state == RequestState.RETURNED, "url": f"{add_url}?recommendation={pk}"}
                for _code, label, state, pk in listed
            ],
            "count": len(self.items),
            "unlisted": len(self.items) - len(listed),
            "chase_url": site + reverse("admin:tracker_reportingcycle_chase", args=[self.cycle.pk]),
        }
        return render_to_string("tracker/email/reminder.txt", context)


def focal_points(actor_ids):
    """{actor id: {language: sorted e-mail addresses}} of the actors' active focal points with an
    address, by e-mail language (`tracker.notifications.by_language`): one query."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, actor_id__in=actor_ids, groups__name=roles.FOCAL_POINT)
        .exclude(email="")
    )
    rows = {}
    for actor_id, email, language in users.values_list("actor_id", "email", "preference__language").distinct():
        rows.setdefault(actor_id, []).append((email, language))
    return {actor_id: by_language(pairs) for actor_id, pairs in rows.items()}


def plan_reminders(today, cycles=None):
    """The reminders due on `today` (a date) that were never sent, as a list of Reminder, by
    cycle and actor name. `cycles` defaults to the open cycles. Writes nothing. Four queries per
    cycle with a due offset (its missing pairs, their actors, the keys already used, the focal
    points), whatever the number of pairs."""
    offsets = reminder_offsets()
    cycles = ReportingCycle.objects.filter(state=ReportingCycle.State.OPEN) if cycles is None else cycles
    planned = []
    for cycle in cycles.order_by("deadline", "pk"):
        offset = due_offset(cycle, today, offsets)
        if offset is None:
            continue
        missing = (
            cycle.requests.with_state()
            .missing()
            .order_by("actor_id", "recommendation__code")
            .values_list("actor_id", "recommendation__code", "recommendation__text", "state", "recommendation_id")
        )
        items = {}
        for actor_id, code, text, state, pk in missing.iterator(chunk_size=5000):
            items.setdefault(actor_id, []).append((code, f"{code} — {first_words(text)}" if text else code, state, pk))
        if not items:
            continue
        actors = {actor.pk: actor for actor in Actor.objects.filter(pk__in=list(items))}
        keys = {actor_id: reminder_key(cycle, actor, offset) for actor_id, actor in actors.items()}
        used = set(EmailNotice.objects.filter(key__in=list(keys.values())).values_list("key", flat=True))
        recipients = focal_points([actor_id for actor_id in keys if keys[actor_id] not in used])
        for actor in sorted(actors.values(), key=lambda actor: (actor.name, actor.pk)):
            if keys[actor.pk] in used or not recipients.get(actor.pk):
                continue
            planned.append(Reminder(cycle, actor, offset, recipients[actor.pk], items[actor.pk]))
    return planned


def send_reminders(today, *, dry_run=False):
    """Close overdue cycles, then write each reminder due on `today` (see the module). Returns
    (closed, reminders): the cycles closed (or that would be, on a dry run) and the Reminders
    written (or that would be). Nothing is written on a dry run."""
    if dry_run:
        closing = list(ReportingCycle.objects.overdue(today).order_by("deadline", "pk"))
        still_open = ReportingCycle.objects.filter(state=ReportingCycle.State.OPEN).exclude(
            pk__in=[cycle.pk for cycle in closing]
        )
        return closing, plan_reminders(today, still_open)
    closed = close_overdue_cycles(today)
    sent = []
    for reminder in plan_reminders(today):
        # One notice per language of the focal points, each composed in it (docs/i18n.md).
        if queue_by_language(
            EmailNotice.Event.REMINDER,
            reminder.groups,
            lambda reminder=reminder: (reminder.subject(today), reminder.body(today)),
            key=reminder.key,
        ):
            sent.append(reminder)
    return closed, sent
