"""Users and small factories shared by the tests.

Factories build the smallest valid objects; a test states what it needs beyond that.
"""

import datetime
import itertools
import os
import tempfile
from pathlib import Path

import django.test
import pytest
from django.contrib.auth.models import Group
from django.utils import translation

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


@pytest.fixture(autouse=True)
def api_answers_match_the_schema():
    """Fail a test during which an API answer did not match /api/schema/ (tests/openapi_validation.py)."""
    from tests.openapi_validation import FAILURES

    FAILURES.clear()
    yield
    if FAILURES:
        found, FAILURES[:] = list(FAILURES), []
        pytest.fail("API answers that do not match the OpenAPI schema:\n" + "\n".join(found[:10]), pytrace=False)


@pytest.fixture(autouse=True)
def site_language_after_each_test():
    """Back to the site's language after each test: LocaleMiddleware activates a request's language
    (/fr/...) in this thread and leaves it active, which would turn a later test's reverse() French."""
    yield
    translation.deactivate()


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 (tests/servers.py), Django's SMTP backend pointed at it, and
    the immediate task backend, so a notice is sent when its transaction commits. Yields the
    server's Inbox (`messages`, `to(address)`)."""
    from tests.servers import smtp_server

    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = False
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
        yield inbox


def pytest_configure(config):
    # PBKDF2 costs about half a second per user on these machines; what tests check about
    # passwords (login, lockout, tokens) does not depend on the hasher. Production keeps PBKDF2.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every API answer given during the suite is validated against the API's schema.
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.openapi_validation.SchemaCheckMiddleware"]
    # Uploaded evidence files go to a folder of this run (each xdist worker its own), never into
    # the checkout's media/; subprocesses the tests start inherit it through the environment.
    media_root = tempfile.mkdtemp(prefix="tracker-test-media-")
    os.environ["TRACKER_MEDIA_ROOT"] = media_root
    settings.MEDIA_ROOT = media_root


def pytest_collection_modifyitems(config, items):
    """Tests marked `own_databases` make and check databases of their own (SQLite files, a new
    PostgreSQL database on 127.0.0.1:5432), whatever database the pass runs on: the PostgreSQL pass
    of `make test` would repeat them exactly, so only the SQLite pass runs them (deselected, not
    skipped, on PostgreSQL; .ci/run runs both passes).

    With `BROWSER_TESTS_ON_POSTGRES=0` (.ci/run's PostgreSQL pass sets it) the PostgreSQL pass also
    leaves out the browser tests (marked `browser`), which .ci/run's SQLite pass has just run: they
    check what Chromium makes of the pages (layout at 1280 and 390 px, accessibility, the content
    security policy, scripts), while the pages' HTML on PostgreSQL is checked by the server-side
    tests of the same views. They are a sixth of that pass's time, which keeps .ci/run within its
    budget; `make test` on PostgreSQL alone runs them."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    markers = ["own_databases"]
    if os.environ.get("BROWSER_TESTS_ON_POSTGRES", "1") == "0":
        markers.append("browser")
    repeated = [item for item in items if any(item.get_closest_marker(name) for name in markers)]
    if repeated:
        config.hook.pytest_deselected(items=repeated)
        items[:] = [item for item in items if not any(item.get_closest_marker(name) for name in markers)]


SEED_FIXTURES = sorted(str(path) for path in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))


class _SeedTestCase(django.test.TestCase):
    """Django's own way to load fixtures once for many tests: `TestCase.setUpClass()` opens a
    transaction, loads `fixtures` into it, and `tearDownClass()` rolls it back."""

    fixtures = SEED_FIXTURES


@pytest.fixture(scope="module")
def seed_once(django_db_setup, django_db_blocker):
    """The seed (fixtures/*.json) loaded once for a test module's tests (per xdist worker), in a
    transaction rolled back after the module's last test. Loading it costs one to two seconds; the
    ~90 tests that read it would spend minutes of each pass reloading it. Use `seed`, not this."""
    with django_db_blocker.unblock():
        _SeedTestCase.setUpClass()
    yield
    with django_db_blocker.unblock():
        _SeedTestCase.tearDownClass()


@pytest.fixture
def seed(seed_once, db):
    """The seed data, as `loaddata fixtures/*.json` leaves it, for a test that uses `db` (not
    `transactional_db`): the test runs in a savepoint inside `seed_once`'s transaction, so what it
    changes is undone before the next test. Every test of a module that uses it must be content with
    the seed being there (the module's transaction stays open until its last test)."""
    from tracker.models import Recommendation

    # A transactional test of the same module would have flushed it: say so instead of failing later.
    assert Recommendation.objects.filter(code="GCIM-2005-FND-01").exists(), "the seed was flushed"


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
        # Transactional tests flush the groups the migration created; bring them back.
        roles.ensure_groups()
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


@pytest.fixture
def brussels_2007(make_process, make_forum, make_roundtable, make_recommendation, make_actor, make_theme, make_update):
    """Public-site data resembling the seed: the first GFMD (Brussels, 9–11 July 2007) with its
    four roundtables, recommendations and outcomes as worded in the IOM presentation of
    3 October 2008; Manila 2008 with sub-sessions; the Mauritius workshop on circular migration
    that followed up a Brussels recommendation; a few approved (and one unapproved) updates."""
    from types import SimpleNamespace

    from tracker.models import FollowUpAction, RecommendationLink

    gfmd = make_process(slug="gfmd", acronym="GFMD", name="Global Forum on Migration and Development")
    workshops = make_process(
        slug="circular-migration-workshops", acronym="", name="Workshops on circular migration", kind="workshop"
    )
    document = Document.objects.create(
        slug="iom-2008-current-priorities",
        title="Current Priorities in Intergovernmental Dialogues on Labour Migration",
        publisher="IOM",
        date=datetime.date(2008, 10, 3),
    )
    brussels = make_forum(
        slug="gfmd-2007-brussels",
        process=gfmd,
        title="First Global Forum on Migration and Development, Brussels",
        city="Brussels",
        country="Belgium",
        start_date=datetime.date(2007, 7, 9),
        end_date=datetime.date(2007, 7, 11),
        host="Government of Belgium",
        format="Held under Chatham House rules; a civil society event is held in parallel to the Forum itself.",
    )
    brussels.documents.add(document)
    manila = make_forum(
        slug="gfmd-2008-manila",
        process=gfmd,
        title="Second Global Forum on Migration and Development, Manila",
        city="Manila",
        country="Philippines",
        start_date=datetime.date(2008, 10, 27),
        end_date=datetime.date(2008, 10, 30),
        theme="Protecting and empowering migrants for development",
    )
    mauritius = make_forum(
        slug="ec-2008-mauritius-circular-migration",
        process=workshops,
        title="Workshop on Creating Development Benefits through Circular Migration, Mauritius",
        city="Mauritius",
        start_date=datetime.date(2008, 9, 8),
        end_date=datetime.date(2008, 9, 9),
        host="European Commission",
    )
    labour = make_theme(slug="labour-mobility", name="Labour mobility")
    remittances = make_theme(slug="remittances", name="Remittances")
    diaspora = make_theme(slug="diaspora", name="Diaspora")
    coherence = make_theme(slug="policy-coherence", name="Policy coherence")
    rights = make_theme(slug="human-rights", name="Human rights")
    circular = make_theme(slug="circular-migration", name="Circular migration")
    belgium = make_actor(slug="belgium", name="Government of Belgium")
    philippines = make_actor(slug="philippines", name="Government of the Philippines")
    secretariat = make_actor(slug="gfmd-support-unit", name="GFMD Support Unit", kind=Actor.Kind.SECRETARIAT)
    civil = make_actor(slug="civil-society-days", name="GFMD Civil Society Days", kind=Actor.Kind.CIVIL_SOCIETY)
    gcm6 = FrameworkObjective.objects.create(
        slug="gcm-6", framework="gcm", number="6", order=6, title="Facilitate fair and ethical recruitment"
    )
    gcm19 = FrameworkObjective.objects.create(
        slug="gcm-19", framework="gcm", number="19", order=19, title="Create conditions for migrants and diasporas"
    )
    roundtables = [
        (
            "1",
            "Human capital development and labour mobility",
            [labour],
            [
                "Establish a matrix of good practices",
                "Develop codes of ethical recruitment",
                "Undertake a feasibility study on financial intermediation service",
                "Establish migrant resource centres",
                "Develop a seasonal workers model (e.g., Guatemala/Canada)",
                "Organize a workshop on circular migration",
            ],
        ),
        (
            "2",
            "Remittances and other diaspora resources",
            [remittances, diaspora],
            [
                "Facilitate and economize remittance flows",
                "Promote public-private partnership",
                "Set up intermediary structure for investment in remittances",
                "Promote economic and social opportunities for diasporas in development of their home countries",
            ],
        ),
        (
            "3",
            "Enhancing policy and institutional coherence and promoting partnership",
            [coherence],
            [
                "Include migration in national development plan",
                "Capacity-building to manage migration",
                "Greater sharing of information",
                "Strengthen representation",
            ],
        ),
        (
            "4",
            "Cross-cutting issues: root causes of migration, human rights and gender",
            [rights],
            [
                "Ensure protection and non-discriminatory treatment",
                "Empower migrants",
                "Fight against human trafficking",
                "Gender sensitive programs in migration",
            ],
        ),
    ]
    recs = {}
    for rt_code, rt_title, themes, texts in roundtables:
        roundtable = make_roundtable(
            forum=brussels, slug=f"gfmd-2007-rt{rt_code}", code=rt_code, title=rt_title, order=int(rt_code)
        )
        for n, text in enumerate(texts, 1):
            code = f"GFMD-2007-RT{rt_code}-{n:02d}"
            recs[code] = make_recommendation(
                code=code,
                forum=brussels,
                roundtable=roundtable,
                order=int(rt_code) * 10 + n,
                text=text,
                themes=themes,
                actors=[belgium] if rt_code == "1" else [],
                source_document=document,
                source_locator="slide 6" if rt_code in "12" else "slide 7",
            )
    for n, text in enumerate(
        [
            "Laid the foundation for an ongoing States-led dialogue and partnership on migration and development",
            "Created a space for achieving longer-term understanding and shared visions on migration",
        ],
        1,
    ):
        code = f"GFMD-2007-OUT-{n:02d}"
        recs[code] = make_recommendation(
            code=code, forum=brussels, order=100 + n, text=text, kind="outcome", source_document=document
        )
    recs["GFMD-2007-RT1-02"].objectives.set([gcm6])
    recs["GFMD-2007-RT2-04"].objectives.set([gcm19])
    manila_rt1 = make_roundtable(
        forum=manila, slug="gfmd-2008-rt1", code="1", title="Migration, Development and Human Rights", order=1
    )
    manila_rt1a = make_roundtable(
        forum=manila,
        parent=manila_rt1,
        slug="gfmd-2008-rt1a",
        code="1.a",
        title="Protecting the rights of the migrants: a shared responsibility",
        order=2,
    )
    make_roundtable(
        forum=manila,
        parent=manila_rt1,
        slug="gfmd-2008-rt1b",
        code="1.b",
        title="Empowering migrants and diasporas to contribute to development",
        order=3,
    )
    recs["GFMD-2008-RT1A-01"] = make_recommendation(
        code="GFMD-2008-RT1A-01",
        forum=manila,
        roundtable=manila_rt1a,
        text="Develop and promote ethical recruitment practices with countries of destination",
        themes=[labour, rights],
        actors=[philippines],
    )
    RecommendationLink.objects.create(
        from_recommendation=recs["GFMD-2008-RT1A-01"], kind="follows_up", to_recommendation=recs["GFMD-2007-RT1-02"]
    )
    FollowUpAction.objects.create(
        recommendation=recs["GFMD-2007-RT1-06"],
        forum=mauritius,
        date=datetime.date(2008, 9, 8),
        description="The European Commission held the workshop on circular migration in Mauritius.",
    )
    recs["GFMD-2007-RT1-06"].themes.add(circular)
    make_update(
        recs["GFMD-2007-RT1-06"],
        secretariat,
        status="in_progress",
        summary="The European Commission announced a workshop on circular migration.",
        reported_on=datetime.date(2008, 3, 1),
    )
    make_update(
        recs["GFMD-2007-RT1-06"],
        secretariat,
        status="implemented",
        summary="Workshop on Creating Development Benefits through Circular Migration held in Mauritius.",
        evidence_url="https://example.org/mauritius-2008",
        reported_on=datetime.date(2008, 9, 9),
    )
    make_update(
        recs["GFMD-2007-RT1-02"],
        philippines,
        status="partially_implemented",
        summary="Standard employment contracts and recruitment agency licensing reviewed.",
        reported_on=datetime.date(2008, 10, 1),
    )
    make_update(
        recs["GFMD-2007-RT1-02"],
        civil,
        status="in_progress",
        summary="Civil society reports codes of conduct are drafted but not adopted.",
        reported_on=datetime.date(2008, 10, 2),
    )
    make_update(
        recs["GFMD-2007-RT2-01"],
        belgium,
        status="stalled",
        summary="No agreement on remittance cost targets.",
        reported_on=datetime.date(2008, 6, 30),
    )
    make_update(
        recs["GFMD-2007-RT3-01"],
        belgium,
        status="not_started",
        summary="Submitted but not approved: must never be public.",
        reported_on=datetime.date(2008, 7, 1),
        review_state=ProgressUpdate.ReviewState.SUBMITTED,
    )
    return SimpleNamespace(
        gfmd=gfmd,
        brussels=brussels,
        manila=manila,
        mauritius=mauritius,
        recs=recs,
        themes=SimpleNamespace(labour=labour, remittances=remittances, circular=circular, rights=rights),
        actors=SimpleNamespace(belgium=belgium, philippines=philippines, secretariat=secretariat, civil=civil),
        objectives=SimpleNamespace(gcm6=gcm6, gcm19=gcm19),
        document=document,
    )


@pytest.fixture
def audit_log(caplog):
    """Structured audit lines (the `tracker.audit` logger does not propagate to the root logger),
    as parsed dictionaries."""
    import json
    import logging

    audit_logger = logging.getLogger("tracker.audit")
    audit_logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="tracker.audit")

    class Lines:
        def records(self):
            return [json.loads(r.getMessage()) for r in caplog.records if r.name == "tracker.audit"]

        def events(self):
            return [record["event"] for record in self.records()]

    try:
        yield Lines()
    finally:
        audit_logger.removeHandler(caplog.handler)


# REST API (tests/test_api_*.py): clients, tokens and a small world of related objects.


@pytest.fixture
def api_fast_passwords(settings):
    """A fast password hasher: the API tests create three users per test, and PBKDF2 costs half a
    second each. Use with `pytestmark = pytest.mark.usefixtures("api_fast_passwords")`."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_fresh_cache():
    """Start and end with empty throttle counters and Last-Modified dates (the default cache)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_token(db):
    """api_token(user) -> a new knox token (the string a client sends) for `user`."""
    from knox.models import AuthToken

    def make(user):
        return AuthToken.objects.create(user)[1]

    return make


@pytest.fixture
def api_client_for(api_token, api_fresh_cache):
    """api_client_for(user) -> an APIClient sending that user's token; api_client_for(None) is anonymous."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return client

    return make


@pytest.fixture
def api_world(
    make_process,
    make_forum,
    make_roundtable,
    make_recommendation,
    make_theme,
    make_objective,
    make_document,
    make_update,
    actor_a,
    actor_b,
    secretariat_actor,
):
    """Two processes, three forums, a roundtable with a sub-session, four recommendations and
    updates in every review state: approved (public), A's returned and B's submitted ones."""
    from types import SimpleNamespace

    status = Recommendation.Status
    gfmd = make_process(slug="gfmd", acronym="GFMD", name="Global Forum on Migration and Development")
    hld = make_process(
        slug="hld", acronym="HLD", name="High-Level Dialogue", kind=Process.Kind.HIGH_LEVEL_DIALOGUE, order=1
    )
    report = make_document(slug="a-60-871", title="International migration and development", symbol="A/60/871")
    brussels = make_forum(
        slug="gfmd-2007", process=gfmd, title="First GFMD, Brussels", start_date=datetime.date(2007, 7, 9)
    )
    brussels.documents.add(report)
    manila = make_forum(
        slug="gfmd-2008", process=gfmd, title="Second GFMD, Manila", start_date=datetime.date(2008, 10, 27)
    )
    new_york = make_forum(slug="hld-2006", process=hld, title="HLD 2006", start_date=datetime.date(2006, 9, 14))
    rt1 = make_roundtable(forum=brussels, slug="gfmd-2007-rt1", code="1", title="Human capital development")
    rt1a = make_roundtable(forum=brussels, slug="gfmd-2007-rt1a", code="1.a", title="Highly skilled", parent=rt1)
    labour = make_theme(slug="labour-mobility", name="Labour mobility")
    remittances = make_theme(slug="remittances", name="Remittances")
    gcm6 = make_objective(slug="gcm-6", number="6", title="Facilitate fair and ethical recruitment")
    ethical = make_recommendation(
        code="GFMD-2007-RT1-01",
        roundtable=rt1,
        text="Develop codes of ethical recruitment",
        themes=[labour],
        actors=[actor_a],
        objectives=[gcm6],
        source_document=report,
    )
    circular = make_recommendation(
        code="GFMD-2007-RT1A-01",
        roundtable=rt1a,
        text="Hold a workshop on circular migration",
        themes=[labour],
        actors=[actor_b],
        kind=Recommendation.Kind.OUTCOME,
    )
    centres = make_recommendation(
        code="GFMD-2008-RT2-01",
        forum=manila,
        text="Establish migrant resource centres",
        themes=[remittances],
        actors=[actor_a, actor_b],
    )
    data = make_recommendation(
        code="HLD-2006-01", forum=new_york, text="Strengthen data and research", kind=Recommendation.Kind.KEY_MESSAGE
    )
    approved = ProgressUpdate.ReviewState.APPROVED
    updates = SimpleNamespace(
        ethical_2008=make_update(
            ethical, actor_a, status=status.IN_PROGRESS, reported_on=datetime.date(2008, 1, 10), review_state=approved
        ),
        ethical_2009=make_update(
            ethical, actor_a, status=status.IMPLEMENTED, reported_on=datetime.date(2009, 6, 1), review_state=approved
        ),
        circular=make_update(
            circular,
            secretariat_actor,
            status=status.IMPLEMENTED,
            reported_on=datetime.date(2008, 9, 1),
            review_state=approved,
        ),
        # Reported after Manila (27 October 2008) made the recommendation: an earlier date is refused.
        a_returned=make_update(
            centres,
            actor_a,
            status=status.NOT_STARTED,
            reported_on=datetime.date(2008, 11, 9),
            review_state=ProgressUpdate.ReviewState.RETURNED,
        ),
        b_submitted=make_update(
            centres,
            actor_b,
            status=status.STALLED,
            reported_on=datetime.date(2008, 11, 9),
            review_state=ProgressUpdate.ReviewState.SUBMITTED,
        ),
    )
    for recommendation in (ethical, circular, centres, data):
        recommendation.refresh_from_db()
    return SimpleNamespace(
        gfmd=gfmd,
        hld=hld,
        report=report,
        brussels=brussels,
        manila=manila,
        new_york=new_york,
        rt1=rt1,
        rt1a=rt1a,
        labour=labour,
        remittances=remittances,
        gcm6=gcm6,
        ethical=ethical,
        circular=circular,
        centres=centres,
        data=data,
        updates=updates,
    )


# End of the REST API fixtures.


@pytest.fixture
def public_site_of_size(make_process, make_forum, make_roundtable, make_recommendation, make_actor, make_theme):
    """Build a public site with `n` recommendations spread over two forums (one with a
    sub-session), each with themes, an actor, a GCM objective, a link and approved and
    unapproved updates, so query-count tests can compare two sizes."""

    def build(n):
        from tracker.models import FollowUpAction, RecommendationLink

        process = make_process()
        forums = [make_forum(process=process), make_forum(process=process, start_date=datetime.date(2008, 10, 27))]
        parent = make_roundtable(forum=forums[1], order=1)
        roundtables = [make_roundtable(forum=forums[0]), make_roundtable(forum=forums[1], parent=parent, order=2)]
        themes = [make_theme(), make_theme()]
        actor = make_actor()
        objective = FrameworkObjective.objects.create(
            slug=f"gcm-size-{next(_seq)}", framework="gcm", number=str(next(_seq)), title="Objective"
        )
        statuses = list(Recommendation.Status)
        recs = []
        for i in range(n):
            rec = make_recommendation(
                roundtable=roundtables[i % 2], themes=themes, actors=[actor], objectives=[objective]
            )
            ProgressUpdate.objects.create(
                recommendation=rec,
                actor=actor,
                status=statuses[i % len(statuses)],
                summary=f"Update {i}",
                reported_on=datetime.date(2008, 1, 1) + datetime.timedelta(days=i),
                recorded_at=datetime.datetime(2009, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=i),
                review_state=ProgressUpdate.ReviewState.APPROVED if i % 3 else ProgressUpdate.ReviewState.SUBMITTED,
            )
            services._refresh_current_status(rec, None)
            if recs:
                RecommendationLink.objects.create(from_recommendation=rec, kind="follows_up", to_recommendation=recs[0])
            FollowUpAction.objects.create(recommendation=rec, forum=forums[1], description="Acted on")
            recs.append(rec)
        return recs

    return build
