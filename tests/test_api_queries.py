"""Every API list and detail runs a fixed number of queries, whatever the number of rows: each
test counts at two sizes. The expected queries are listed beside each count."""

import datetime

import pytest

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"

# Anonymous requests: no session, no token; throttling and Last-Modified use the cache only.
# Each count includes the data version read by the response cache first (tracker/http/cache.py); the
# cache itself stores nothing here (each test runs in a transaction), so the rest is the view's.
VERSION = 1
LISTS = {
    # COUNT; processes with forum and recommendation counts (two correlated subqueries).
    "processes": VERSION + 2,
    # COUNT; forums joined to their process, with a recommendation count subquery; their documents;
    # their editorial facts.
    "forums": VERSION + 4,
    # COUNT; roundtables joined to forum and parent, with a recommendation count subquery.
    "roundtables": VERSION + 2,
    # COUNT; the page's recommendations joined to forum, process, roundtable and source document
    # (status as a column, or with as_of a correlated subquery); their themes; their actors;
    # their objectives.
    "recommendations": VERSION + 5,
    # The same: the theme filters as a subquery on its slug, not looked up first (it would be,
    # once, if the list came out empty: a 400 for a slug that names nothing).
    "recommendations/?as_of=2008-12-31&status=in_progress&theme=": VERSION + 5,
    # COUNT of approved updates; updates joined to recommendation, actor and evidence document;
    # their public evidence files.
    "updates": VERSION + 3,
    # COUNT; rows with a recommendation count subquery (actors, themes, objectives); documents.
    "actors": VERSION + 2,
    "themes": VERSION + 2,
    "objectives": VERSION + 2,
    "documents": VERSION + 3,  # COUNT; rows; their editorial facts
    # One GROUP BY effective_status.
    "recommendations/summary/": VERSION + 1,
    "summary/": VERSION + 1,
}


@pytest.fixture
def grow(
    make_process,
    make_forum,
    make_roundtable,
    make_recommendation,
    make_theme,
    make_actor,
    make_objective,
    make_document,
    make_update,
):
    """grow(n) adds n of everything, each related to several others, with public and private updates."""
    from tracker.models import RecommendationLink

    made = []

    def build(n):
        for _ in range(n):
            document = make_document()
            forum = make_forum(process=make_process())
            forum.documents.add(document, make_document())
            parent = make_roundtable(forum=forum)
            roundtable = make_roundtable(forum=forum, parent=parent)
            themes, actors = [make_theme(), make_theme()], [make_actor(), make_actor()]
            recommendation = make_recommendation(
                roundtable=roundtable,
                themes=themes,
                actors=actors,
                objectives=[make_objective(), make_objective()],
                source_document=document,
            )
            make_update(recommendation, actors[0], source_document=document)
            make_update(recommendation, actors[1], review_state="submitted")
            if made:
                RecommendationLink.objects.create(
                    from_recommendation=recommendation, kind="follows_up", to_recommendation=made[-1]
                )
            made.append(recommendation)
        return made

    return build


def url_of(name, world):
    if name.endswith("theme="):
        return f"{API}/{name}{world[0].themes.first().slug}"
    return f"{API}/{name}" if "?" in name or name.endswith("/") else f"{API}/{name}/"


@pytest.mark.parametrize("name,expected", LISTS.items(), ids=list(LISTS))
def test_each_list_runs_the_same_queries_for_2_and_7_rows(
    grow, api_client_for, django_assert_num_queries, name, expected
):
    client = api_client_for(None)
    for size in (2, 7):
        world = grow(size - len(grow(0)))
        url = url_of(name, world)
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200, response.content
        if "results" in response.json() and "?" not in name:
            assert response.json()["count"] >= size


def test_a_signed_in_focal_point_adds_three_queries_to_the_updates_list(
    grow, api_client_for, focal_a, django_assert_num_queries
):
    client = api_client_for(focal_a)
    for size in (2, 7):
        grow(size - len(grow(0)))
        # The token by its key, with its user; the user's other tokens (knox drops expired ones);
        # the user's groups (its role); then COUNT, the updates and their files, as for the public.
        with django_assert_num_queries(6):
            assert client.get(f"{API}/updates/").status_code == 200


DETAILS = {
    # The recommendation; its themes; actors; objectives (as for the list); its links in both
    # directions; its follow-up actions.
    "recommendation": VERSION + 6,
    # The forum with its process and recommendation count; its documents; its editorial facts.
    "forum": VERSION + 3,
    # The update joined to its recommendation, actor and evidence document; its public evidence files.
    "update": VERSION + 2,
}


@pytest.mark.parametrize("kind,expected", DETAILS.items(), ids=list(DETAILS))
def test_each_detail_runs_the_same_queries_however_much_is_related(
    grow, api_client_for, django_assert_num_queries, kind, expected
):
    client = api_client_for(None)
    for size in (2, 7):
        world = grow(size - len(grow(0)))
        target = world[0]
        # More related rows for the first recommendation at the larger size.
        if size == 7:
            for other in world[1:]:
                target.themes.add(*other.themes.all())
        url = {
            "recommendation": f"{API}/recommendations/{target.code}/",
            "forum": f"{API}/forums/{target.forum.slug}/",
            "update": f"{API}/updates/{target.updates.filter(review_state='approved').first().pk}/",
        }[kind]
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


# A filter on a related object (forum, theme, …) filters by a subquery on the slug, and asks
# whether the slug names anything only if that decides the answer: when nothing was found, or
# when the request is refused anyway (its 400 names every bad value, in the filters' order).
UNKNOWN = {
    # COUNT; the page's rows; their themes, actors and objectives.
    "recommendations/?forum={forum}": (VERSION + 5, []),
    # COUNT (0); does the forum exist?
    "recommendations/?forum=nowhere": (VERSION + 2, ["forum"]),
    "recommendations/?forum=nowhere&page=2": (VERSION + 2, ["forum"]),
    # GROUP BY (no rows); does the forum exist?
    "recommendations/summary/?forum=nowhere": (VERSION + 2, ["forum"]),
    # No query for a kind that is no kind; does the theme exist?
    "recommendations/?theme=nothing&kind=x": (VERSION + 1, ["theme", "kind"]),
}


def test_a_detail_refuses_a_filter_as_an_unknown_parameter_before_any_query(
    grow, api_client_for, django_assert_num_queries
):
    # A detail reads no filter (tracker.api.params): refused with no lookup at all.
    world = grow(2)
    with django_assert_num_queries(VERSION):
        response = api_client_for(None).get(f"{API}/recommendations/{world[0].code}/?forum=nowhere")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["forum"]


@pytest.mark.parametrize("name,expected", UNKNOWN.items(), ids=list(UNKNOWN))
def test_a_slug_is_looked_up_only_when_nothing_was_found(
    grow, api_client_for, django_assert_num_queries, name, expected
):
    client = api_client_for(None)
    queries, invalid = expected
    world = grow(2)
    with django_assert_num_queries(queries):
        response = client.get(f"{API}/" + name.format(forum=world[0].forum.slug, code=world[0].code))
    assert response.status_code == (400 if invalid else 200), response.content
    if invalid:
        errors = response.json()["errors"]
        assert list(errors) == invalid
        assert errors[invalid[0]] == ["Select a valid choice. That choice is not one of the available choices."]


# The recommendation list and detail are rendered from rows (`for_api_list()`), not model
# instances: each must show every related object, in its model's order, and the two must agree.


@pytest.fixture
def scrambled(grow, make_theme, make_actor, make_objective, make_document, make_forum):
    """scrambled(n): grow(n) with more themes, actors and objectives for each recommendation, each
    made in an order other than the one they are listed in, and links and follow-up actions."""
    from tracker.models import FollowUpAction, RecommendationLink

    done = []

    def build(n):
        world = grow(n - len(grow(0)))
        for recommendation in world[len(done) :]:
            code = recommendation.code
            recommendation.themes.add(*(make_theme(name=f"{word} {code}") for word in ("Zulu", "Alpha", "Mike")))
            recommendation.actors.add(*(make_actor(name=f"{word} {code}") for word in ("Zulu", "Mike", "Alpha")))
            recommendation.objectives.add(
                make_objective(framework="sdg", order=1, title=f"3 {code}"),
                make_objective(framework="gcm", order=9, title=f"2 {code}"),
                make_objective(framework="gcm", order=2, title=f"1 {code}"),
            )
            for date in (datetime.date(2012, 1, 1), None, datetime.date(2010, 1, 1)):
                FollowUpAction.objects.create(recommendation=recommendation, forum=make_forum(), date=date)
            FollowUpAction.objects.create(recommendation=recommendation, document=make_document(), description="A")
            for earlier in done[-2:]:
                for kind in ("supersedes", "refines"):
                    RecommendationLink.objects.create(
                        from_recommendation=recommendation, kind=kind, to_recommendation=earlier
                    )
            done.append(recommendation)
        return world

    return build


def test_the_list_shows_each_recommendation_as_its_detail_does_at_2_and_7_rows(scrambled, api_client_for):
    from tracker.models import Recommendation

    client = api_client_for(None)
    for size in (2, 7):
        scrambled(size)
        rows = client.get(f"{API}/recommendations/?page_size=50").json()["results"]
        assert len(rows) == size
        assert [row["code"] for row in rows] == [
            r.code for r in Recommendation.objects.order_by(*Recommendation._meta.ordering)
        ]
        for row in rows:
            detail = client.get(f"{API}/recommendations/{row['code']}/").json()
            assert {
                key: value for key, value in detail.items() if key not in ("links", "follow_ups", "updates_url")
            } == row
            recommendation = Recommendation.objects.get(code=row["code"])
            assert [theme["slug"] for theme in row["themes"]] == [t.slug for t in recommendation.themes.all()]
            assert [actor["slug"] for actor in row["actors"]] == [a.slug for a in recommendation.actors.all()]
            assert [(o["slug"], o["name"]) for o in row["objectives"]] == [
                (o.slug, o.short_label) for o in recommendation.objectives.all()
            ]
            # In each model's Meta.ordering (name; framework, then order), not in the order made.
            mine = [f"Alpha {row['code']}", f"Mike {row['code']}", f"Zulu {row['code']}"]
            assert [theme["name"] for theme in row["themes"] if theme["name"] in mine] == mine
            assert [actor["name"] for actor in row["actors"] if actor["name"] in mine] == mine
            mine = [f"1 {row['code']}", f"2 {row['code']}", f"3 {row['code']}"]
            assert [objective["title"] for objective in row["objectives"] if objective["title"] in mine] == mine


def test_the_detail_shows_its_links_and_follow_ups_in_order_at_2_and_7_rows(scrambled, api_client_for):
    from tracker.models import FollowUpAction

    client = api_client_for(None)
    for size in (2, 7):
        world = scrambled(size)
        for recommendation in (world[0], world[-2]):
            body = client.get(f"{API}/recommendations/{recommendation.code}/").json()
            follow_ups = FollowUpAction.objects.filter(recommendation=recommendation)
            assert [(f["date"], f["description"]) for f in body["follow_ups"]] == [
                (f.date and f.date.isoformat(), f.description) for f in follow_ups
            ]
            assert [(f["forum"] or {}).get("slug") for f in body["follow_ups"]] == [
                f.forum and f.forum.slug for f in follow_ups
            ]
            assert [(f["document"] or {}).get("slug") for f in body["follow_ups"]] == [
                f.document and f.document.slug for f in follow_ups
            ]
            assert body["updates_url"].endswith(f"/api/v1/updates/?recommendation={recommendation.code}")
    # The second to last: links out (by kind, then the linked recommendation), then links in.
    r3, r4, r5, r6 = (recommendation.code for recommendation in world[3:])
    links = client.get(f"{API}/recommendations/{r5}/").json()["links"]
    assert [(link["relation"], link["recommendation"]["code"]) for link in links] == [
        ("follows up", r4),
        ("refines", r3),
        ("refines", r4),
        ("supersedes", r3),
        ("supersedes", r4),
        ("followed up by", r6),
        ("refined by", r6),
        ("superseded by", r6),
    ]
