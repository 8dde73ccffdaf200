"""A client generated from /api/schema/ by openapi-python-client reads, pages, syncs and writes
against a running server (pytest-django's `live_server`).

The client is generated once per test session (per xdist worker). Generation must be silent: a
warning means part of the schema could not be understood, and an endpoint or model would be
missing from the client. Every answer must parse into the generated model its status code
documents, with no field the schema does not describe (a generated model keeps those apart, in
`additional_properties`); tests/openapi_validation.py validates each answer with openapi-core
besides.
"""

import datetime
import importlib
import inspect
import json
import subprocess
import sys
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest

from tests.openapi_validation import spec
from tracker import services
from tracker.models import Actor, Document, Forum, ProgressUpdate, Recommendation, Theme

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("api_fast_passwords", "api_fresh_cache")]

PACKAGE = "tracker_api_client"
PASSWORD = "pw-for-tests-only-3141"
# Generated models whose schema is a map (additionalProperties): their entries are the data.
MAPS = {"ErrorErrors", "ApiRootResponse200"}


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """The generated client, imported: `models` (the package's models module), `client` (its
    client module: Client, AuthenticatedClient), `types` (UNSET) and `op(tag, operation)`, the module of one
    operation (`sync_detailed`). Fails with the generator's whole output if it said anything
    besides that it is generating."""
    folder = tmp_path_factory.mktemp("generated-client")
    document, invalid = spec()
    assert invalid is None, invalid
    (folder / "schema.json").write_text(json.dumps(document))
    # No post hooks: the default ones run ruff over the package, which only formats it.
    (folder / "config.yaml").write_text("post_hooks: []\n")
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--path", "schema.json"]
    command += ["--output-path", PACKAGE, "--meta", "none", "--config", "config.yaml"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)  # noqa: S603
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    assert output == f"Generating {PACKAGE}", f"openapi-python-client did not take the whole schema:\n{output}"
    sys.path.insert(0, str(folder))
    try:
        yield SimpleNamespace(
            models=importlib.import_module(f"{PACKAGE}.models"),
            client=importlib.import_module(f"{PACKAGE}.client"),
            types=importlib.import_module(f"{PACKAGE}.types"),
            op=lambda tag, name: importlib.import_module(f"{PACKAGE}.api.{tag}.{name}"),
        )
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def anonymous(generated, live_server):
    return generated.client.Client(base_url=live_server.url, raise_on_unexpected_status=True)


def authenticated(generated, live_server, token):
    # The generated client sends `Authorization: Bearer <token>`, which the API accepts like `Token`.
    return generated.client.AuthenticatedClient(base_url=live_server.url, token=token, raise_on_unexpected_status=True)


def described_fully(value, where="answer"):
    """Fail if a parsed model, or one nested in it, holds a field its schema does not describe."""
    if attrs.has(type(value)):
        if type(value).__name__ not in MAPS:
            assert value.additional_properties == {}, f"{where} ({type(value).__name__}) has undocumented fields"
        for field in attrs.fields(type(value)):
            if field.name != "additional_properties":
                described_fully(getattr(value, field.name), f"{where}.{field.name}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            described_fully(item, f"{where}[{n}]")


def parsed(response, status, model):
    """The answer's parsed body, after checking its status code and that it parsed into `model`
    (a generated class) with nothing undocumented in it."""
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), (type(response.parsed), response.content)
    described_fully(response.parsed)
    return response.parsed


def cursor_of(next_url):
    return parse_qs(urlsplit(next_url).query)["cursor"][0]


# Read


def test_it_lists_recommendations_with_repeated_filters_and_orderings(generated, live_server, brussels_2007):
    listing = generated.op("recommendations", "recommendations_list")
    m = generated.models
    status = m.RecommendationsListStatusItem
    page = parsed(
        listing.sync_detailed(
            client=anonymous(generated, live_server),
            forum="gfmd-2007-brussels",
            status=[status.IMPLEMENTED, status.IN_PROGRESS, status.STALLED, status.NO_INFORMATION],
            ordering=[m.RecommendationsListOrderingItem.LAST_UPDATE_DESC, m.RecommendationsListOrderingItem.CODE_DESC],
            page_size=1000,
        ),
        200,
        m.PaginatedRecommendationList,
    )
    dated = ["GFMD-2007-RT1-02", "GFMD-2007-RT1-06", "GFMD-2007-RT2-01"]  # last reported 2 Oct, 9 Sep, 30 Jun 2008
    undated = sorted(
        Recommendation.objects.filter(forum__slug="gfmd-2007-brussels")
        .exclude(code__in=dated)
        .values_list("code", flat=True),
        reverse=True,
    )
    # Both orderings apply: the latest report first, then (no report) by code descending.
    assert [rec.code for rec in page.results] == dated + undated
    assert page.count == len(dated + undated) == 20
    assert page.next_ is None and page.previous is None
    first = page.results[0]
    assert first.status == m.StatusEnum.IN_PROGRESS
    assert first.status_date == datetime.date(2008, 10, 2)
    assert isinstance(first.roundtable, m.RoundtableBrief)
    assert first.forum.slug == "gfmd-2007-brussels"
    assert first.forum.start_date == datetime.date(2007, 7, 9)
    outcome = next(rec for rec in page.results if rec.code == "GFMD-2007-OUT-01")
    assert outcome.roundtable is None
    assert outcome.kind == m.RecommendationKind.OUTCOME
    assert outcome.status_date is None


def test_it_reads_a_recommendation_with_its_nested_objects_and_null_references(generated, live_server, brussels_2007):
    retrieve = generated.op("recommendations", "recommendations_retrieve")
    m = generated.models
    client = anonymous(generated, live_server)
    rec = parsed(retrieve.sync_detailed("GFMD-2007-RT1-06", client=client), 200, m.RecommendationDetail)
    assert rec.text == "Organize a workshop on circular migration"
    assert rec.status == m.StatusEnum.IMPLEMENTED
    assert rec.process.slug == "gfmd"
    assert (rec.roundtable.slug, rec.roundtable.code) == ("gfmd-2007-rt1", "1")
    assert {theme.slug for theme in rec.themes} == {"labour-mobility", "circular-migration"}
    assert [actor.slug for actor in rec.actors] == ["belgium"]
    assert isinstance(rec.source_document, m.DocumentBrief)
    assert rec.source_document.slug == "iom-2008-current-priorities"
    assert isinstance(rec.updated_at, datetime.datetime) and rec.updated_at.tzinfo is not None
    assert rec.change_key > 0
    (follow_up,) = rec.follow_ups
    assert follow_up.forum.slug == "ec-2008-mauritius-circular-migration"
    assert follow_up.document is None
    assert follow_up.date == datetime.date(2008, 9, 8)
    assert rec.target_date is None

    linked = parsed(retrieve.sync_detailed("GFMD-2007-RT1-02", client=client), 200, m.RecommendationDetail)
    (link,) = linked.links
    assert link.recommendation.code == "GFMD-2008-RT1A-01"
    assert [objective.slug for objective in linked.objectives] == ["gcm-6"]

    outcome = parsed(retrieve.sync_detailed("GFMD-2007-OUT-01", client=client), 200, m.RecommendationDetail)
    assert outcome.roundtable is None
    assert outcome.actors == [] and outcome.links == [] and outcome.follow_ups == []

    missing = parsed(retrieve.sync_detailed("NO-SUCH-CODE", client=client), 404, m.Error)
    assert missing.code == "not_found"


def test_it_lists_actors_themes_forums_and_documents_and_reads_the_api_root(generated, live_server, brussels_2007):
    m = generated.models
    client = anonymous(generated, live_server)
    lists = [
        ("actors", m.PaginatedActorList, Actor),
        ("themes", m.PaginatedThemeList, Theme),
        ("forums", m.PaginatedForumList, Forum),
        ("documents", m.PaginatedDocumentList, Document),
    ]
    for tag, model, table in lists:
        page = parsed(generated.op(tag, f"{tag}_list").sync_detailed(client=client, page_size=1000), 200, model)
        assert {row.slug for row in page.results} == set(table.objects.values_list("slug", flat=True)), tag
        assert page.count == len(page.results)
    actors = generated.op("actors", "actors_list").sync_detailed(client=client, page_size=1000).parsed.results
    belgium = next(actor for actor in actors if actor.slug == "belgium")
    assert belgium.kind == m.ActorKind.GOVERNMENT
    assert belgium.recommendation_count == 6
    forums = generated.op("forums", "forums_list").sync_detailed(client=client, page_size=1000).parsed.results
    brussels = next(forum for forum in forums if forum.slug == "gfmd-2007-brussels")
    assert [document.slug for document in brussels.documents] == ["iom-2008-current-priorities"]
    assert brussels.end_date == datetime.date(2007, 7, 11)
    assert brussels.recommendation_count == 20
    root = parsed(generated.op("default", "api_root").sync_detailed(client=client), 200, m.ApiRootResponse200)
    assert root["recommendations"] == f"{live_server.url}/api/v1/recommendations/"
    assert {"actors", "themes", "forums", "documents", "deletions"} <= set(root.additional_keys)


# Page


def test_it_follows_page_numbers_to_the_same_rows_as_one_large_page(generated, live_server, brussels_2007):
    listing = generated.op("recommendations", "recommendations_list")
    m = generated.models
    client = anonymous(generated, live_server)
    whole = parsed(listing.sync_detailed(client=client, page_size=1000), 200, m.PaginatedRecommendationList)
    assert whole.count == Recommendation.objects.count() == 21
    codes, number, pages = [], 1, 0
    while number is not None:
        page = parsed(
            listing.sync_detailed(client=client, page=number, page_size=2), 200, m.PaginatedRecommendationList
        )
        assert page.count == whole.count
        assert len(page.results) == (2 if page.next_ else 1)
        assert (page.previous is None) == (number == 1)
        codes += [rec.code for rec in page.results]
        pages += 1
        number = int(parse_qs(urlsplit(page.next_).query)["page"][0]) if page.next_ else None
    assert pages == 11
    assert codes == [rec.code for rec in whole.results]
    past_the_end = parsed(listing.sync_detailed(client=client, page=12, page_size=2), 404, m.Error)
    assert past_the_end.code == "not_found"


# Sync


def sync(generated, client, tag, key, since=None):
    """Every row of list `tag` changed after change key `since` (all rows when None), by cursor
    pages of 5: {row's key: row}, and the largest change key among them (or `since`)."""
    operation = generated.op(tag, f"{tag}_list")
    rows, cursor, largest = {}, "", since or 0
    while cursor is not None:
        extra = {} if since is None else {"updated_since": str(since)}
        page = operation.sync_detailed(client=client, cursor=cursor, page_size=5, **extra)
        page = parsed(page, 200, type(page.parsed))
        assert type(page).__name__.startswith("Paginated")
        assert page.previous is None
        for row in page.results:
            assert getattr(row, key) not in rows  # nothing changes during this sync: no row comes twice
            rows[getattr(row, key)] = row
            largest = max(largest, row.change_key)
        cursor = cursor_of(page.next_) if page.next_ else None
    return rows, largest


def test_it_syncs_by_cursor_and_then_fetches_only_what_changed(generated, live_server, brussels_2007, secretariat_user):
    m = generated.models
    client = anonymous(generated, live_server)
    recs, recs_key = sync(generated, client, "recommendations", "code")
    updates, updates_key = sync(generated, client, "updates", "id")
    themes, themes_key = sync(generated, client, "themes", "slug")
    # (Deletions left by the tests before: a transactional test's flush deletes rows too.)
    deletions, deletions_key = sync(generated, client, "deletions", "key")
    assert set(recs) == set(Recommendation.objects.values_list("code", flat=True))
    assert all(isinstance(rec, m.Recommendation) for rec in recs.values())
    public = ProgressUpdate.objects.filter(review_state=ProgressUpdate.ReviewState.APPROVED)
    assert set(updates) == set(public.values_list("id", flat=True))
    assert len(themes) == 6

    stalled = ProgressUpdate.objects.get(recommendation__code="GFMD-2007-RT2-01")
    stalled_key = str(stalled.pk)  # deleting the row clears its pk
    assert stalled_key not in deletions
    services.delete_update(stalled, user=secretariat_user)
    new = services.record_progress(
        brussels_2007.recs["GFMD-2007-RT3-02"],
        user=secretariat_user,
        actor=secretariat_user.actor,
        status=Recommendation.Status.IN_PROGRESS,
        summary="A capacity-building programme has started.",
        reported_on=datetime.date(2009, 2, 1),
    )
    theme = brussels_2007.themes.rights
    theme.name = "Human rights of migrants"
    theme.save()

    changed, _ = sync(generated, client, "recommendations", "code", since=recs_key)
    # The two whose updates changed, and those tagged with the renamed theme: their search column
    # (which holds theme names) was rewritten, so their rows changed too.
    tagged = set(theme.recommendations.values_list("code", flat=True))
    assert set(changed) == {"GFMD-2007-RT2-01", "GFMD-2007-RT3-02"} | tagged
    assert changed["GFMD-2007-RT2-01"].status == m.StatusEnum.NO_INFORMATION
    assert changed["GFMD-2007-RT3-02"].status == m.StatusEnum.IN_PROGRESS
    changed_updates, _ = sync(generated, client, "updates", "id", since=updates_key)
    assert set(changed_updates) == {new.pk}
    assert changed_updates[new.pk].recommendation.code == "GFMD-2007-RT3-02"
    changed_themes, _ = sync(generated, client, "themes", "slug", since=themes_key)
    assert set(changed_themes) == {"human-rights"}
    assert changed_themes["human-rights"].name == "Human rights of migrants"
    gone, _ = sync(generated, client, "deletions", "key", since=deletions_key)
    assert set(gone) == {stalled_key}
    assert gone[stalled_key].resource == m.ResourceEnum.UPDATE
    # The deletion comes after everything the first sync saw of the updates.
    assert gone[stalled_key].change_key > updates_key

    refused = generated.op("recommendations", "recommendations_list").sync_detailed(
        client=client, cursor="not-a-cursor"
    )
    assert parsed(refused, 400, m.Error).errors["cursor"]


# Write


def test_it_obtains_tokens_and_writes_reviews_and_refuses_as_documented(
    generated, live_server, api_world, secretariat_user, focal_a
):
    m = generated.models
    anon = anonymous(generated, live_server)
    issue = generated.op("auth", "auth_token_create")
    create = generated.op("updates", "updates_create")
    retrieve = generated.op("recommendations", "recommendations_retrieve")

    def token(username, password=PASSWORD):
        return issue.sync_detailed(client=anon, body=m.TokenRequest(username=username, password=password))

    wrong = parsed(token("focal_a", "guess"), 400, m.Error)
    assert wrong.code == "invalid"
    issued = parsed(token("secretariat"), 200, m.Token)
    assert issued.expiry > datetime.datetime.now(datetime.UTC)
    secretariat = authenticated(generated, live_server, issued.token)
    focal = authenticated(generated, live_server, parsed(token("focal_a"), 200, m.Token).token)

    # The secretariat reports with If-Match: the recommendation's ETag as read.
    read = retrieve.sync_detailed(api_world.data.code, client=secretariat)
    before = parsed(read, 200, m.RecommendationDetail)
    tag = read.headers["ETag"]
    body = m.ProgressUpdateCreate(
        recommendation=api_world.data.code,
        status=m.StatusEnum.IN_PROGRESS,
        summary="A data working group has met twice.",
        reported_on=datetime.date(2009, 3, 1),
    )
    assert "Mixin" not in m.ProgressUpdateCreate.__doc__  # a body is not described by its serializer's mixin
    written = parsed(create.sync_detailed(client=secretariat, body=body, if_match=tag), 201, m.ProgressUpdate)
    assert written.review_state == m.ReviewStateEnum.APPROVED
    assert written.actor.slug == secretariat_user.actor.slug
    assert written.recommendation.code == api_world.data.code
    assert written.source_document is None and written.reviewed_at is not None
    after = parsed(retrieve.sync_detailed(api_world.data.code, client=anon), 200, m.RecommendationDetail)
    assert after.status == m.StatusEnum.IN_PROGRESS
    assert after.version == before.version + 1
    # The same ETag again is stale now: 412, in the error format.
    stale = parsed(create.sync_detailed(client=secretariat, body=body, if_match=tag), 412, m.Error)
    assert stale.code == "precondition_failed"
    assert stale.errors is generated.types.UNSET  # `errors` is only on a 400
    needed = parsed(create.sync_detailed(client=secretariat, body=body), 428, m.Error)
    assert needed.code == "precondition_required"

    # A focal point reports for its own government without If-Match; the update waits for review.
    submitted = create.sync_detailed(
        client=focal,
        body=m.ProgressUpdateCreate(
            recommendation=api_world.ethical.code, status=m.StatusEnum.STALLED, summary="Funding was cut."
        ),
    )
    update = parsed(submitted, 201, m.ProgressUpdate)
    assert update.review_state == m.ReviewStateEnum.SUBMITTED
    assert update.actor.slug == focal_a.actor.slug
    invalid = create.sync_detailed(
        client=focal,
        body=m.ProgressUpdateCreate(recommendation=api_world.ethical.code, status=m.StatusEnum.STALLED, summary=""),
    )
    refused = parsed(invalid, 400, m.Error)
    assert refused.code == "invalid"
    assert list(refused.errors.additional_keys) == ["summary"]
    assert all(isinstance(message, str) for message in refused.errors["summary"])

    # The secretariat approves it with the update's ETag, read through the client.
    read_update = generated.op("updates", "updates_retrieve").sync_detailed(update.id, client=secretariat)
    assert parsed(read_update, 200, m.ProgressUpdate).version == update.version
    approve = generated.op("updates", "updates_approve_create")
    # The body is required in the schema: a client leaving it out would still declare JSON, and be refused.
    assert inspect.signature(approve.sync_detailed).parameters["body"].default is inspect.Parameter.empty
    response = approve.sync_detailed(
        update.id, client=secretariat, body=m.Review(note="Confirmed."), if_match=read_update.headers["ETag"]
    )
    approved = parsed(response, 200, m.ProgressUpdate)
    assert approved.review_state == m.ReviewStateEnum.APPROVED
    assert approved.review_note == "Confirmed."
    assert approved.version == update.version + 1
    ethical = parsed(retrieve.sync_detailed(api_world.ethical.code, client=anon), 200, m.RecommendationDetail)
    assert ethical.status == m.StatusEnum.STALLED
    again = approve.sync_detailed(update.id, client=secretariat, body=m.Review(), if_match=response.headers["ETag"])
    assert parsed(again, 409, m.Error).code == "conflict"
    # Without a token, the write is refused in the error format too.
    anonymous_write = create.sync_detailed(client=anon, body=body)
    assert parsed(anonymous_write, 401, m.Error).code == "not_authenticated"
