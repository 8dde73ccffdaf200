"""Users and small factories shared by the tests.

Factories build the smallest valid objects; a test states what it needs beyond that.
"""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group

from tracker import roles, services
from tracker.models import (
    Actor,
    Document,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    Roundtable,
    Theme,
    User,
)

_seq = itertools.count(1)


@pytest.fixture
def make_process(db):
    def make(**kwargs):
        n = next(_seq)
        kwargs.setdefault("slug", f"process-{n}")
        kwargs.setdefault("acronym", f"P{n}")
        kwargs.setdefault("name", f"Process {n}")
        kwargs.setdefault("kind", Process.Kind.GLOBAL_FORUM)
        return Process.objects.create(**kwargs)

    return make


@pytest.fixture
def make_forum(db, make_process):
    def make(**kwargs):
        n = next(_seq)
        if "process" not in kwargs:
            kwargs["process"] = make_process()
        kwargs.setdefault("slug", f"forum-{n}")
        kwargs.setdefault("title", f"Forum {n}")
        kwargs.setdefault("start_date", datetime.date(2007, 7, 9))
        return Forum.objects.create(**kwargs)

    return make


@pytest.fixture
def make_roundtable(db, make_forum):
    def make(**kwargs):
        n = next(_seq)
        if "forum" not in kwargs:
            kwargs["forum"] = make_forum()
        kwargs.setdefault("slug", f"roundtable-{n}")
        kwargs.setdefault("code", str(n))
        kwargs.setdefault("title", f"Roundtable {n}")
        return Roundtable.objects.create(**kwargs)

    return make


@pytest.fixture
def make_actor(db):
    def make(**kwargs):
        n = next(_seq)
        kwargs.setdefault("slug", f"actor-{n}")
        kwargs.setdefault("name", f"Actor {n}")
        kwargs.setdefault("kind", Actor.Kind.GOVERNMENT)
        return Actor.objects.create(**kwargs)

    return make


@pytest.fixture
def make_theme(db):
    def make(**kwargs):
        n = next(_seq)
        kwargs.setdefault("slug", f"theme-{n}")
        kwargs.setdefault("name", f"Theme {n}")
        return Theme.objects.create(**kwargs)

    return make


@pytest.fixture
def make_objective(db):
    def make(**kwargs):
        n = next(_seq)
        kwargs.setdefault("framework", FrameworkObjective.Framework.GCM)
        kwargs.setdefault("number", str(n))
        kwargs.setdefault("slug", f"gcm-{n}")
        kwargs.setdefault("title", f"Objective {n}")
        return FrameworkObjective.objects.create(**kwargs)

    return make


@pytest.fixture
def make_document(db):
    def make(**kwargs):
        n = next(_seq)
        kwargs.setdefault("slug", f"document-{n}")
        kwargs.setdefault("title", f"Document {n}")
        return Document.objects.create(**kwargs)

    return make


@pytest.fixture
def make_recommendation(db, make_forum):
    def make(**kwargs):
        n = next(_seq)
        themes = kwargs.pop("themes", [])
        actors = kwargs.pop("actors", [])
        objectives = kwargs.pop("objectives", [])
        if "forum" not in kwargs:
            kwargs["forum"] = kwargs["roundtable"].forum if kwargs.get("roundtable") else make_forum()
        kwargs.setdefault("code", f"TEST-{n:05d}")
        kwargs.setdefault("text", f"Recommendation text {n}")
        kwargs.setdefault("order", n)
        rec = Recommendation.objects.create(**kwargs)
        rec.themes.set(themes)
        rec.actors.set(actors)
        rec.objectives.set(objectives)
        return rec

    return make


@pytest.fixture
def make_user(db):
    def make(username=None, *, groups=(), actor=None, **kwargs):
        username = username or f"user{next(_seq)}"
        kwargs.setdefault("is_staff", True)
        user = User.objects.create_user(username=username, password="pw-for-tests-only-3141", actor=actor, **kwargs)
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user

    return make


@pytest.fixture
def actor_a(make_actor):
    return make_actor(slug="government-a", name="Government of A")


@pytest.fixture
def actor_b(make_actor):
    return make_actor(slug="government-b", name="Government of B")


@pytest.fixture
def secretariat_actor(make_actor):
    return make_actor(slug="gfmd-secretariat", name="GFMD secretariat", kind=Actor.Kind.SECRETARIAT)


@pytest.fixture
def secretariat_user(make_user, secretariat_actor):
    return make_user("secretariat", groups=[roles.SECRETARIAT], actor=secretariat_actor)


@pytest.fixture
def focal_a(make_user, actor_a):
    return make_user("focal_a", groups=[roles.FOCAL_POINT], actor=actor_a)


@pytest.fixture
def focal_b(make_user, actor_b):
    return make_user("focal_b", groups=[roles.FOCAL_POINT], actor=actor_b)


@pytest.fixture
def make_update(db):
    """An update created directly (bypassing the service) for read-side tests; state-changing
    tests use tracker.services instead."""

    def make(recommendation, actor, **kwargs):
        from django.utils import timezone

        kwargs.setdefault("status", Recommendation.Status.IN_PROGRESS)
        kwargs.setdefault("summary", "Summary")
        kwargs.setdefault("reported_on", datetime.date(2008, 9, 9))
        kwargs.setdefault("recorded_at", timezone.now())
        kwargs.setdefault("review_state", ProgressUpdate.ReviewState.APPROVED)
        update = ProgressUpdate.objects.create(recommendation=recommendation, actor=actor, **kwargs)
        # Keep the stored current status true, as the service would.
        services._refresh_current_status(recommendation, None)
        return update

    return make
