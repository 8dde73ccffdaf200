"""Every API list and detail runs a fixed number of queries, whatever the number of rows: each
test counts at two sizes. The expected queries are listed beside each count."""

import pytest

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"

# Anonymous requests: no session, no token; throttling and Last-Modified use the cache only.
LISTS = {
    # COUNT; processes with forum and recommendation counts (two correlated subqueries).
    "processes": 2,
    # COUNT; forums joined to their process, with a recommendation count subquery; their documents.
    "forums": 3,
    # COUNT; roundtables joined to forum and parent, with a recommendation count subquery.
    "roundtables": 2,
    # COUNT; recommendations joined to forum, process, roundtable and source document (status as
    # a column, or with as_of a correlated subquery); their themes; actors; objectives.
    "recommendations": 5,
    # The same, plus the theme looked up by its slug (each related-object filter checks its value).
    "recommendations/?as_of=2008-12-31&status=in_progress&theme=": 6,
    # COUNT of approved updates; updates joined to recommendation, actor and evidence document.
    "updates": 2,
    # COUNT; rows with a recommendation count subquery (actors, themes, objectives); documents.
    "actors": 2,
    "themes": 2,
    "objectives": 2,
    "documents": 2,
    # One GROUP BY effective_status.
    "recommendations/summary/": 1,
    "summary/": 1,
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
        # the user's groups (its role); then COUNT and the updates, as for the public.
        with django_assert_num_queries(5):
            assert client.get(f"{API}/updates/").status_code == 200


DETAILS = {
    # The recommendation; its themes; actors; objectives; links out; links in; follow-up actions.
    "recommendation": 7,
    # The forum with its process and recommendation count; its documents.
    "forum": 2,
    # The update joined to its recommendation, actor and evidence document.
    "update": 1,
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
