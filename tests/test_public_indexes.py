"""The indexes of the public site (issue 15): /actors/ (by kind, with the codes of states), the actor
page's assessments side by side and response rates, /themes/, /processes/ and each process."""

import datetime
import re

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from tracker import cycles
from tracker.models import Actor, Process, Status


def test_the_actor_index_lists_every_actor_with_its_kind_codes_and_counts(client, brussels_2007):
    Actor.objects.filter(slug="belgium").update(country_code="BE")

    response = client.get("/actors/")

    assert response.status_code == 200
    actors = list(response.context["page"].object_list)
    assert [actor.slug for actor in actors] == [
        "civil-society-days",
        "gfmd-support-unit",
        "belgium",
        "philippines",
    ]  # by name: "GFMD Civil Society Days", "GFMD Support Unit", "Government of ..."
    belgium = actors[2]
    assert (belgium.recommendation_count, belgium.report_count) == (6, 1)  # the submitted update is private
    assert belgium.last_reported_on == datetime.date(2008, 6, 30)
    assertContains(response, '<a href="/actors/belgium/">Government of Belgium</a>', html=True)
    # A state: its ISO 3166-1 alpha-2 and alpha-3 codes and its UN M49 code.
    assertContains(response, '<span class="code" title="ISO 3166-1 alpha-2">BE</span>')
    assertContains(response, '<span class="code">BEL</span> · M49 056')
    assertContains(response, '<a href="/recommendations/?actor=belgium">6</a>', html=True)
    # The kinds present, each a filter with its count.
    assertContains(
        response, '<a href="/actors/?kind=government">Government <span class="muted">(2)</span></a>', html=True
    )
    assertContains(response, '<a href="/actors/" aria-current="page">All <span class="muted">(4)</span></a>', html=True)
    assertNotContains(response, "?kind=intergovernmental")  # no actor of that kind


def test_the_actor_index_filters_by_kind_and_refuses_a_kind_it_does_not_know(client, brussels_2007):
    response = client.get("/actors/?kind=civil_society")

    assert [actor.slug for actor in response.context["page"].object_list] == ["civil-society-days"]
    assertContains(response, '<a href="/actors/?kind=civil_society" aria-current="page">', html=False)
    assertContains(response, "<title>Actors: Civil society · Migration Dialogues Tracker</title>", html=False)

    response = client.get("/actors/?kind=wizards")
    assert response.status_code == 400
    assertContains(response, "This kind of actor is not known, so every actor is shown.", status_code=400)
    assert len(response.context["page"].object_list) == 4


def test_the_actor_page_shows_its_assessments_beside_the_other_actors_assessments(client, brussels_2007, make_update):
    philippines = brussels_2007.actors.philippines
    # An older assessment of the same recommendation: only the latest of each actor is shown.
    make_update(
        brussels_2007.recs["GFMD-2007-RT1-02"],
        philippines,
        status="not_started",
        summary="Older assessment.",
        reported_on=datetime.date(2008, 1, 5),
    )

    response = client.get("/actors/philippines/")

    assessments = response.context["assessments"]
    assert (assessments.update_count, assessments.recommendation_count) == (2, 1)
    [row] = assessments.rows
    assert (row.update.recommendation.code, row.update.status) == ("GFMD-2007-RT1-02", Status.PARTIALLY_IMPLEMENTED)
    assert [(other.actor.slug, other.status) for other in row.others] == [("civil-society-days", Status.IN_PROGRESS)]
    content = response.content.decode()
    assert "Older assessment." not in content
    assertContains(response, "Standard employment contracts and recruitment agency licensing reviewed.")
    assertContains(response, '<a href="/actors/civil-society-days/">GFMD Civil Society Days</a>')
    assertContains(
        response, '<a href="/feeds/updates/?reporting_actor=philippines">Atom feed of its progress updates</a>'
    )

    # As of a date before its assessment: nothing reported yet, the feed link keeps the date.
    response = client.get("/actors/philippines/?as_of=2008-09-01")
    [row] = response.context["assessments"].rows
    assert (row.update.summary, row.others) == ("Older assessment.", [])
    assertContains(response, 'href="/feeds/updates/?as_of=2008-09-01&amp;reporting_actor=philippines"')


def test_the_actor_page_shows_its_response_rate_in_each_published_cycle(client, brussels_2007, secretariat_user):
    today = timezone.localdate()
    cycle = cycles.create_cycle(
        user=secretariat_user,
        name="Call for updates",
        opens_on=today,
        deadline=today + datetime.timedelta(days=30),
        filters={"actor": ["belgium"]},
    )
    assertNotContains(client.get("/actors/belgium/"), "Response rate in")  # a draft is the secretariat's
    cycles.open_cycle(cycle, user=secretariat_user)

    response = client.get("/actors/belgium/")

    assertContains(response, "Response rate in Call for updates: 0 of 6 asked (0 %)")
    assertNotContains(client.get("/actors/philippines/"), "Response rate in")  # not asked


@pytest.mark.parametrize("url", ["/actors/nobody/", "/processes/nothing/"])
def test_unknown_actors_and_processes_are_404(client, brussels_2007, url):
    assert client.get(url).status_code == 404


def test_the_theme_index_lists_every_theme_with_its_status_as_of_a_date(client, brussels_2007):
    response = client.get("/themes/")

    assert response.status_code == 200
    rows = {row.obj.slug: row for row in response.context["themes"]}
    assert list(rows) == [
        "circular-migration",
        "diaspora",
        "human-rights",
        "labour-mobility",
        "policy-coherence",
        "remittances",
    ]
    assert rows["remittances"].counts == {Status.NO_INFORMATION: 3, Status.STALLED: 1}
    assert rows["circular-migration"].counts == {Status.IMPLEMENTED: 1}
    assertContains(response, '<a href="/themes/remittances/">Remittances</a>', html=True)

    response = client.get("/themes/?as_of=2008-06-01")
    rows = {row.obj.slug: row for row in response.context["themes"]}
    assert rows["remittances"].counts == {Status.NO_INFORMATION: 4}  # stalled only from 30 June 2008
    assert rows["circular-migration"].counts == {Status.IN_PROGRESS: 1}
    assertContains(response, '<a href="/themes/remittances/?as_of=2008-06-01">Remittances</a>', html=True)
    assert client.get("/themes/?as_of=June").status_code == 400


def test_the_process_index_lists_every_process_even_one_without_forums(client, brussels_2007, make_process):
    make_process(
        slug="gats-mode-4",
        acronym="GATS Mode 4",
        name="General Agreement on Trade and Services, Mode 4",
        kind=Process.Kind.TRADE_FRAMEWORK,
        description="Defining Mode 4 the supply of a service by a service supplier of one member.",
        order=9,
    )

    response = client.get("/processes/")

    assert response.status_code == 200
    rows = {row.obj.slug: row for row in response.context["processes"]}
    assert list(rows) == ["gfmd", "circular-migration-workshops", "gats-mode-4"]
    assert (rows["gfmd"].obj.forum_count, rows["gfmd"].total) == (2, 21)
    assert (rows["gats-mode-4"].obj.forum_count, rows["gats-mode-4"].total) == (0, 0)
    assertContains(response, '<a href="/processes/gats-mode-4/">General Agreement on Trade and Services, Mode 4</a>')
    assertContains(response, "No recommendation of this process is tracked.")

    response = client.get("/processes/gats-mode-4/")
    assert response.status_code == 200
    assertContains(response, "Defining Mode 4 the supply of a service by a service supplier of one member.")
    assertContains(response, "No forum of this process is tracked here")


def test_a_process_page_lists_its_forums_with_their_status_as_of_a_date(client, brussels_2007):
    response = client.get("/processes/gfmd/")

    assert [row.obj.slug for row in response.context["forums"]] == ["gfmd-2007-brussels", "gfmd-2008-manila"]
    assert response.context["breakdown"].total == 21
    assert response.context["breakdown"].kinds == {"recommendation": 19, "outcome": 2}
    assertContains(
        response, '<a href="/forums/gfmd-2007-brussels/">First Global Forum on Migration and Development, Brussels</a>'
    )
    assertContains(response, 'href="/recommendations/?process=gfmd"')

    response = client.get("/processes/gfmd/?as_of=2008-06-01")
    forums = {row.obj.slug: row for row in response.context["forums"]}
    assert forums["gfmd-2007-brussels"].counts == {Status.NO_INFORMATION: 19, Status.IN_PROGRESS: 1}
    assert forums["gfmd-2008-manila"].total == 0  # had not met yet
    assertContains(response, 'href="/forums/gfmd-2007-brussels/?as_of=2008-06-01"')


def test_the_site_navigation_leads_to_the_indexes(client, brussels_2007):
    response = client.get("/themes/")

    nav = re.search(r'<nav class="site-nav".*?</nav>', response.content.decode(), re.S).group(0)
    assert '<a href="/themes/" aria-current="page">Themes</a>' in nav
    assert '<a href="/actors/">Actors</a>' in nav and '<a href="/documents/">Documents</a>' in nav
    assertContains(response, '<a href="/processes/">Processes</a>')  # in the footer's "Browse" line


@pytest.mark.parametrize("size", [3, 18])
def test_the_indexes_and_pages_take_the_same_queries_for_any_amount_of_data(
    client, public_site_of_size, make_actor, make_update, django_assert_num_queries, size
):
    recs = public_site_of_size(size)
    for n in range(size):
        other = make_actor(kind=Actor.Kind.CIVIL_SOCIETY if n % 2 else Actor.Kind.GOVERNMENT, country_code="BE")
        make_update(recs[n], other, reported_on=datetime.date(2009, 1, 1))
    actor, process = recs[0].actors.get(), recs[0].forum.process
    # 1 the data version (tracker/http/cache.py), 2 the count of actors per kind, 3 the page's
    # count, 4 its actors with their counts (one correlated subquery each).
    with django_assert_num_queries(4):
        assert client.get("/actors/?kind=government").status_code == 200
    # The actor page with others' assessments beside its own: 1 the data version, 2 the actor, 3
    # status counts, 4 count and 5 page of its recommendations, 6 their themes, 7 the counts of its
    # approved updates, 8 its latest assessments, 9 the others' of the same recommendations, 10 the
    # response rates.
    with django_assert_num_queries(10):
        response = client.get(actor.get_absolute_url())
    rows = response.context["assessments"].rows  # its approved updates: every third is only submitted
    assert len(rows) == size - (size + 2) // 3 and all(len(row.others) == 1 for row in rows)
    # 1 the data version, 2 the themes, 3 their status counts by kind.
    with django_assert_num_queries(3):
        assert client.get("/themes/?as_of=2008-06-01").status_code == 200
    # 1 the data version, 2 the processes with their counts, 3 status counts per process.
    with django_assert_num_queries(3):
        assert client.get("/processes/").status_code == 200
    # 1 the data version, 2 the process, 3 status counts per forum, 4 its forums.
    with django_assert_num_queries(4):
        assert client.get(process.get_absolute_url() + "?as_of=2009-01-01").status_code == 200


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/actors/", "/api/v1/actors/"),
        ("/themes/", "/api/v1/themes/"),
        ("/processes/", "/api/v1/processes/"),
        ("/processes/gfmd/", "/api/v1/processes/gfmd/"),
        ("/documents/", "/api/v1/documents/"),
        ("/documents/iom-2008-current-priorities/", "/api/v1/documents/iom-2008-current-priorities/"),
    ],
)
def test_a_format_the_new_pages_do_not_offer_is_406_linking_the_api(client, brussels_2007, path, api):
    response = client.get(f"{path}?format=json")

    assert response.status_code == 406
    assertContains(response, f'href="http://testserver{api}"', status_code=406)


def test_every_index_and_page_renders_on_the_seed_data(client, db):
    from pathlib import Path

    from django.core.management import call_command

    from tracker.models import Document

    fixtures = sorted(str(path) for path in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)
    urls = ["/actors/", "/themes/", "/processes/", "/documents/", "/documents/?page=2"]
    urls += [actor.get_absolute_url() for actor in Actor.objects.all()]
    urls += [process.get_absolute_url() for process in Process.objects.all()]
    urls += [document.get_absolute_url() for document in Document.objects.all()]
    for url in urls:
        assert client.get(url).status_code == 200, url
    # GATS Mode 4: a process with no forum, on its own page with its definition from the seed.
    response = client.get("/processes/gats-mode-4/")
    assertContains(response, "the supply of a service")
    assert response.context["forums"] == []
    assert len(client.get("/processes/").context["processes"]) == Process.objects.count() == 6
