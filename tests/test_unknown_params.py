"""Unknown parameters and unknown slugs are answered the same way everywhere on the API and the
exports (tracker/http/params.py, tracker/api/params.py): a 400 in the API's error format naming
every unknown parameter, with every filter value that names nothing. What an answer reads is
derived from its FilterSet and paginator, so filters and paginators added later are read without
more code. `lang` is reserved (accepted, ignored). The HTML pages and the Atom feeds keep ignoring
parameters they do not read."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from tracker import cycles
from tracker.api.params import known_parameters
from tracker.api.urls import router
from tracker.http.params import filterset_parameters
from tracker.models import WebhookEndpoint

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"


@pytest.fixture
def secretariat(api_client_for, secretariat_user):
    return api_client_for(secretariat_user)


def refused(response, *names):
    """The body of a 400 in the API's error format whose `errors` name exactly `names`."""
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == set(names), body
    return body


def every_list(client):
    """The path of every list the API root names (so lists added later are checked too)."""
    return [urlsplit(url).path for url in client.get(f"{API}/").json().values()]


def test_every_api_list_refuses_unknown_parameters_naming_each_one(api_world, secretariat):
    lists = every_list(secretariat)
    assert {f"{API}/recommendations/", f"{API}/updates/", f"{API}/cycles/", f"{API}/webhooks/"} <= set(lists)
    for path in [*lists, f"{API}/summary/", f"{API}/recommendations/summary/"]:
        body = refused(secretariat.get(path, {"utm_source": "newsletter", "colour": "red"}), "utm_source", "colour")
        assert body["detail"] == "Invalid input: utm_source, colour."
        assert "Unknown parameter" in body["errors"]["colour"][0]
        assert secretariat.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("path", "query", "names"),
    [
        ("recommendations/", "forum=nowhere&utm_source=x", {"forum", "utm_source"}),
        ("recommendations/", "theme=nope&actor=nobody&colour=red", {"theme", "actor", "colour"}),
        ("summary/", "roundtable=nowhere&colour=red", {"roundtable", "colour"}),
        ("updates/", "recommendation=NO-SUCH-CODE&colour=red", {"recommendation", "colour"}),
        ("updates/", "forum=nowhere&theme=nope&colour=red", {"forum", "theme", "colour"}),
        ("forums/", "process=nowhere&colour=red", {"process", "colour"}),
        ("roundtables/", "forum=nowhere&colour=red", {"forum", "colour"}),
    ],
)
def test_one_answer_names_unknown_parameters_and_unknown_slugs_together(client, api_world, path, query, names):
    refused(client.get(f"{API}/{path}?{query}"), *names)


@pytest.mark.parametrize(
    "path",
    [
        "recommendations/",
        "updates/",
        "updates/?recommendation=NO-SUCH-CODE",
        "forums/?process=nowhere",
        "summary/",
    ],
)
def test_an_unknown_slug_alone_is_a_400_on_every_list(client, api_world, path):
    if "=" not in path:
        path += "?forum=nowhere"
    assert client.get(f"{API}/{path}").status_code == 400


def test_the_parameters_a_list_reads_are_accepted(client, api_world):
    recommendations = (
        "page=1&page_size=5&ordering=-status&ordering=code&search=recruitment&q=codes&format=json&lang=fr"
        "&as_of=2009-12-31&status=implemented&status=in_progress&forum=gfmd-2007&process=gfmd&theme=labour-mobility"
        "&actor=government-a&objective=gcm-6&kind=recommendation&not_reported=false&roundtable=gfmd-2007-rt1"
    )
    assert client.get(f"{API}/recommendations/?{recommendations}").json()["count"] == 1
    updates = (
        "page=1&recommendation=GFMD-2007-RT1-01&actor=government-a&reported_after=2008-01-01&lang=ar&status=implemented"
    )
    assert client.get(f"{API}/updates/?{updates}").json()["count"] == 1
    assert client.get(f"{API}/summary/?forum=gfmd-2007&as_of=2008-12-31&lang=es&format=json").status_code == 200


def _view(viewset, action, method="get", detail=False):
    """An instance of `viewset` as the router makes it for `action`, with a request."""
    view = viewset(action=action, detail=detail, format_kwarg=None)
    view.request = Request(getattr(RequestFactory(), method)("/"))
    return view


def test_what_a_list_reads_is_derived_from_its_filters_and_its_paginator():
    # Every filter of every list's FilterSet and every query parameter of its paginator (page
    # numbers, and a cursor where the paginator has one) is read, whoever adds them.
    for _prefix, viewset, _basename in router.registry:
        view = _view(viewset, "list")
        known = known_parameters(view, view.request)
        assert {"format"} <= known
        if getattr(view, "filterset_class", None) is not None:
            assert filterset_parameters(view.filterset_class) <= known, viewset
        paginator = view.paginator
        for name in ("page_query_param", "page_size_query_param", "cursor_query_param"):
            if getattr(paginator, name, None):
                assert getattr(paginator, name) in known, (viewset, name)
        # A detail reads none of them (but `as_of` where its FilterSet has it); a write only `format`.
        detail = _view(viewset, "retrieve", detail=True)
        assert known_parameters(detail, detail.request) <= {"format", "as_of"}
        write = _view(viewset, "create", method="post")
        assert known_parameters(write, write.request) == {"format"}


def test_a_paginators_cursor_parameter_is_read_where_it_has_one(client, api_world):
    from rest_framework.settings import api_settings

    cursor = getattr(api_settings.DEFAULT_PAGINATION_CLASS, "cursor_query_param", None)
    if cursor is None:
        pytest.skip("the paginator has no cursor parameter")
    body = client.get(f"{API}/recommendations/?{cursor}=").json()
    assert cursor not in body.get("errors", {}), body


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("forums/gfmd-2007/?format=json&lang=fr", 200),
        ("forums/gfmd-2007/?utm_source=x", 400),
        ("forums/gfmd-2007/?page=2", 400),
        ("forums/gfmd-2007/?process=gfmd", 400),
        ("recommendations/GFMD-2007-RT1-01/?as_of=2008-12-31&lang=en", 200),
        ("recommendations/GFMD-2007-RT1-01/?status=implemented", 400),
        ("recommendations/GFMD-2007-RT1-01/?page_size=5", 400),
        ("themes/labour-mobility/?colour=red", 400),
        ("?format=json&lang=fr", 200),
        ("?colour=red", 400),
    ],
)
def test_details_and_the_root_read_only_format_lang_and_as_of_where_honoured(client, api_world, path, status):
    response = client.get(f"{API}/{path}")
    assert response.status_code == status, response.content[:300]
    if status == 400:
        assert len(response.json()["errors"]) == 1


def test_an_update_detail_refuses_unknown_parameters(client, api_world):
    update = api_world.updates.ethical_2008
    assert client.get(f"{API}/updates/{update.pk}/").status_code == 200
    refused(client.get(f"{API}/updates/{update.pk}/?expand=actor"), "expand")


def test_a_paged_action_reads_its_own_parameters_and_the_paginators(api_world, secretariat, secretariat_user):
    cycle = cycles.create_cycle(
        user=secretariat_user,
        name="Call 2027",
        opens_on=datetime.date(2027, 3, 1),
        deadline=datetime.date(2027, 3, 31),
        filters={"forum": ["gfmd-2007"]},
    )
    cycles.open_cycle(cycle, user=secretariat_user)
    url = f"{API}/cycles/{cycle.slug}/requests/"
    assert (
        secretariat.get(url, {"actor": "government-a", "state": "missing", "page": 1, "page_size": 5}).status_code
        == 200
    )
    refused(secretariat.get(url, {"actor": "government-a", "colour": "red"}), "colour")

    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.org/tracker", events=["cycle.opened"], secret="s"
    )
    deliveries = f"{API}/webhooks/{endpoint.pk}/deliveries/"
    assert secretariat.get(deliveries, {"page": 1, "page_size": 5}).status_code == 200
    refused(secretariat.get(deliveries, {"state": "failed"}), "state")


@pytest.mark.parametrize("output", ["csv", "json", "xlsx"])
def test_an_export_refuses_unknown_parameters_and_slugs_in_the_apis_error_format(client, brussels_2007, output):
    response = client.get(
        f"/recommendations/?format={output}&utm_source=newsletter&forum=nowhere&theme=labour-mobility"
    )
    body = refused(response, "utm_source", "forum")
    assert "nothing was exported" in body["detail"]
    assert client.get(f"/recommendations/?format={output}&lang=fr&forum=gfmd-2007-brussels").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/forums/",
        "/forums/gfmd-2007-brussels/",
        "/recommendations/",
        "/recommendations/?forum=gfmd-2007-brussels",
        "/recommendations/GFMD-2007-RT1-01/",
        "/themes/labour-mobility/",
        "/feeds/updates/",
        "/feeds/updates/?theme=remittances",
    ],
)
def test_pages_and_feeds_ignore_parameters_they_do_not_read(client, brussels_2007, path):
    separator = "&" if "?" in path else "?"
    assert client.get(f"{path}{separator}utm_source=newsletter&utm_campaign=2008&lang=fr").status_code == 200


def test_the_lists_export_links_leave_out_what_an_export_would_refuse(client, brussels_2007):
    page = client.get("/recommendations/?forum=gfmd-2007-brussels&utm_source=newsletter&page=1")
    exports = re.findall(r'href="([^"]*format=[^"]*)"', page.content.decode())
    assert "?forum=gfmd-2007-brussels&amp;format=csv" in exports
    assert not [link for link in exports if "utm_source" in link]
    assert client.get("/recommendations/?forum=gfmd-2007-brussels&format=csv").status_code == 200


def test_a_method_the_address_does_not_have_is_still_a_405(api_world, secretariat):
    assert secretariat.put(f"{API}/actors/?colour=red").status_code == 405
    assert secretariat.delete(f"{API}/?colour=red").status_code == 405
    assert secretariat.options(f"{API}/actors/?colour=red").status_code == 200
