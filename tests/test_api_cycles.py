"""Reporting cycles in the API: the secretariat creates, opens and closes them; everyone reads the
published ones and their asked pairs (submissions hidden from those who may not see them); every
answer conforms to the OpenAPI schema at /api/schema/; fixed query counts at two sizes."""

import datetime
import json

import pytest
import requests
import schemathesis
from schemathesis.core.transport import Response as CheckedResponse

from tracker import cycles, services
from tracker.models import ReportingCycle

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"


@pytest.fixture(scope="module")
def openapi():
    """The served schema, as Schemathesis reads it."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    return schemathesis.openapi.from_dict(document)


def conforms(openapi, response, template, method="GET"):
    """Fail unless `response` (Django's) is what the schema promises for `method` `template`."""
    request = requests.Request(method=method, url="http://testserver" + response.wsgi_request.get_full_path())
    checked = CheckedResponse(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=request.prepare(),
        elapsed=0.0,
        verify=False,
    )
    openapi[template][method].validate_response(checked)
    return response.json() if response.content else None


@pytest.fixture
def clients(api_client_for, secretariat_user, focal_a, focal_b):
    from types import SimpleNamespace

    return SimpleNamespace(
        anon=api_client_for(None),
        secretariat=api_client_for(secretariat_user),
        focal_a=api_client_for(focal_a),
        focal_b=api_client_for(focal_b),
    )


def create(client, **body):
    body = {"name": "Call for updates 2027", "opens_on": "2027-03-01", "deadline": "2027-03-31"} | body
    return client.post(f"{API}/cycles/", body, format="json")


def test_the_secretariat_creates_opens_and_closes_a_cycle_and_everyone_reads_it(
    api_world, clients, openapi, actor_a, actor_b, secretariat_actor
):
    response = create(
        clients.secretariat, filters={"forum": ["gfmd-2007", "gfmd-2008"]}, extra_actors=[secretariat_actor.slug]
    )
    body = conforms(openapi, response, "/api/v1/cycles/", "POST")
    assert response.status_code == 201, body
    assert response["Location"].endswith("/api/v1/cycles/call-for-updates-2027/")
    assert body["state"] == "draft" and body["opened_at"] is None
    assert body["filters"] == {"forum": ["gfmd-2007", "gfmd-2008"]}
    assert [actor["slug"] for actor in body["extra_actors"]] == [secretariat_actor.slug]
    assert body["counts"] == {"not_reported": 0, "submitted": 0, "returned": 0, "approved": 0, "total": 0}

    # A draft is the secretariat's: the public and focal points see nothing of it.
    assert clients.anon.get(f"{API}/cycles/call-for-updates-2027/").status_code == 404
    assert clients.focal_a.get(f"{API}/cycles/").json()["count"] == 0
    assert clients.secretariat.get(f"{API}/cycles/").json()["count"] == 1

    # Tokens expire: the API tests run on today's clock, before the 2027 deadline.
    response = clients.secretariat.post(f"{API}/cycles/call-for-updates-2027/open/")
    body = conforms(openapi, response, "/api/v1/cycles/{slug}/open/", "POST")
    assert response.status_code == 200, body
    assert body["state"] == "open" and body["opened_at"] is not None
    # ethical (A), circular (B), centres (A, B); each also asked of the secretariat.
    assert body["counts"]["total"] == 7 and body["counts"]["not_reported"] == 7

    again = clients.secretariat.post(f"{API}/cycles/call-for-updates-2027/open/")
    assert again.status_code == 400 and "not a draft" in again.json()["detail"] + str(again.json()["errors"])
    conforms(openapi, again, "/api/v1/cycles/{slug}/open/", "POST")

    listed = clients.anon.get(f"{API}/cycles/")
    body = conforms(openapi, listed, "/api/v1/cycles/")
    assert [cycle["slug"] for cycle in body["results"]] == ["call-for-updates-2027"]
    assert body["results"][0]["requests_url"].endswith("/api/v1/cycles/call-for-updates-2027/requests/")

    response = clients.secretariat.post(f"{API}/cycles/call-for-updates-2027/close/")
    body = conforms(openapi, response, "/api/v1/cycles/{slug}/close/", "POST")
    assert body["state"] == "closed" and body["closed_at"] is not None
    again = clients.secretariat.post(f"{API}/cycles/call-for-updates-2027/close/")
    assert again.status_code == 400


def test_only_the_secretariat_writes_cycles(api_world, clients, openapi, secretariat_user):
    refused = create(clients.focal_a)
    assert refused.status_code == 403
    conforms(openapi, refused, "/api/v1/cycles/", "POST")
    assert create(clients.anon).status_code == 401
    cycles.create_cycle(
        user=secretariat_user,
        name="Draft",
        opens_on=datetime.date(2027, 3, 1),
        deadline=datetime.date(2027, 3, 31),
        filters={},
    )
    for action in ("open", "close"):
        response = clients.focal_a.post(f"{API}/cycles/draft/{action}/")
        assert response.status_code == 403, action
        conforms(openapi, response, f"/api/v1/cycles/{{slug}}/{action}/", "POST")
        assert clients.anon.post(f"{API}/cycles/draft/{action}/").status_code == 401
    assert ReportingCycle.objects.get().state == "draft"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"deadline": "2027-02-01"}, "deadline"),
        ({"filters": {"colour": ["red"]}}, "filters"),
        ({"filters": {"forum": ["nowhere"]}}, "filters.forum"),
        ({"extra_actors": ["nobody"]}, "extra_actors"),
        ({"state": "open"}, "state"),
        ({"filters": {"q": ["no such words anywhere"]}}, "non_field_errors"),
    ],
)
def test_a_bad_cycle_is_refused_naming_the_field(api_world, clients, openapi, body, field):
    response = create(clients.secretariat, **body)
    error = conforms(openapi, response, "/api/v1/cycles/", "POST")
    assert response.status_code == 400
    assert field in error["errors"], error
    assert not ReportingCycle.objects.exists()


@pytest.fixture
def open_cycle(api_world, secretariat_user, focal_a, focal_b):
    """The API world's cycle over Brussels and Manila, opened now (its deadline is 31 March 2027),
    with A's submission on the ethical recruitment codes and B's approved update on the resource
    centres. The API world's own updates, recorded before it opened, do not count."""
    cycle = cycles.create_cycle(
        user=secretariat_user,
        name="Call 2027",
        opens_on=datetime.date(2027, 3, 1),
        deadline=datetime.date(2027, 3, 31),
        filters={"forum": ["gfmd-2007", "gfmd-2008"]},
    )
    cycles.open_cycle(cycle, user=secretariat_user)
    services.record_progress(
        api_world.ethical, user=focal_a, actor=focal_a.actor, status="in_progress", summary="Draft code."
    )
    approved = services.record_progress(
        api_world.centres, user=focal_b, actor=focal_b.actor, status="in_progress", summary="Two centres open."
    )
    services.approve_update(approved, user=secretariat_user)
    return cycle


def states(body):
    return {(row["recommendation"]["code"], row["actor"]["slug"]): row["state"] for row in body["results"]}


def test_the_asked_pairs_show_submissions_only_to_those_who_may_see_them(open_cycle, clients, openapi):
    url = f"{API}/cycles/call-2027/requests/"
    everything = {
        ("GFMD-2007-RT1-01", "government-a"): "submitted",
        ("GFMD-2007-RT1A-01", "government-b"): "not_reported",
        ("GFMD-2008-RT2-01", "government-a"): "not_reported",
        ("GFMD-2008-RT2-01", "government-b"): "approved",
    }
    body = conforms(openapi, clients.secretariat.get(url), "/api/v1/cycles/{slug}/requests/")
    assert states(body) == everything
    assert body["results"][0]["recommendation"]["url"].endswith("/api/v1/recommendations/GFMD-2007-RT1-01/")
    assert body["results"][0]["latest_update"] is not None
    # The public: approved or not, never a submission.
    public = conforms(openapi, clients.anon.get(url), "/api/v1/cycles/{slug}/requests/")
    assert states(public) == everything | {("GFMD-2007-RT1-01", "government-a"): "not_reported"}
    assert public["results"][0]["latest_update"] is None
    # A focal point sees its own actor's submissions, not the others'.
    assert states(clients.focal_a.get(url).json()) == everything
    assert states(clients.focal_b.get(url).json())[("GFMD-2007-RT1-01", "government-a")] == "not_reported"

    counts = clients.anon.get(f"{API}/cycles/call-2027/").json()["counts"]
    assert counts == {"not_reported": 3, "submitted": 0, "returned": 0, "approved": 1, "total": 4}
    counts = clients.secretariat.get(f"{API}/cycles/call-2027/").json()["counts"]
    assert counts == {"not_reported": 2, "submitted": 1, "returned": 0, "approved": 1, "total": 4}

    missing = clients.secretariat.get(url + "?state=missing&actor=government-a").json()
    assert states(missing) == {("GFMD-2008-RT2-01", "government-a"): "not_reported"}
    refused = clients.anon.get(url + "?state=late&actor=nobody")
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"state", "actor"}
    conforms(openapi, refused, "/api/v1/cycles/{slug}/requests/")


@pytest.mark.parametrize("size", [2, 14])
def test_cycle_lists_and_asked_pairs_take_the_same_queries_at_any_size(
    open_cycle, api_world, clients, secretariat_user, make_recommendation, actor_a, django_assert_num_queries, size
):
    for n in range(size):
        make_recommendation(code=f"GFMD-2007-X{n:02d}", forum=api_world.brussels, actors=[actor_a])
    for n in range(size):
        cycle = cycles.create_cycle(
            user=secretariat_user,
            name=f"Call {n}",
            opens_on=datetime.date(2027, 3, 1),
            deadline=datetime.date(2027, 3, 31),
            filters={"forum": ["gfmd-2007"]},
            extra_actors=[actor_a],
        )
        cycles.open_cycle(cycle, user=secretariat_user)
    # 1 the data version (response cache), 2 COUNT, 3 the page of cycles, 4 their extra actors,
    # 5 their pairs counted by cycle and state (one GROUP BY).
    with django_assert_num_queries(5):
        assert clients.anon.get(f"{API}/cycles/").json()["count"] == size + 1
    # 1 the data version, 2 the cycle, 3 its extra actors, 4 its pairs counted by state.
    with django_assert_num_queries(4):
        assert clients.anon.get(f"{API}/cycles/call-0/").status_code == 200
    # 1 the data version, 2 the cycle, 3 COUNT, 4 the page of pairs with state, latest update,
    # recommendation and actor.
    with django_assert_num_queries(4):
        body = clients.anon.get(f"{API}/cycles/call-0/requests/?page_size=1000").json()
    # Brussels: ethical (A), circular (B, and A as the extra actor), and the new ones (A).
    assert body["count"] == len(body["results"]) == 3 + size
