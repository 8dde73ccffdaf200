"""/actors/<slug>/ and /themes/<slug>/."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tracker.models import Status


def test_an_actor_page_shows_what_it_is_responsible_for_and_what_it_reported(client, brussels_2007):
    response = client.get("/actors/belgium/")

    assert response.status_code == 200
    assertContains(response, "<h1>Government of Belgium</h1>", html=True)
    assert response.context["breakdown"].total == 6
    assert [rec.code for rec in response.context["page"].object_list][:2] == ["GFMD-2007-RT1-01", "GFMD-2007-RT1-02"]
    assertContains(response, 'href="/recommendations/?actor=belgium"')
    # Reported: one approved update; the submitted one stays private.
    rows = response.context["assessments"].rows
    assert [row.update.summary for row in rows] == ["No agreement on remittance cost targets."]
    assertNotContains(response, "must never be public")


def test_an_actor_that_reported_but_is_responsible_for_nothing(client, brussels_2007):
    response = client.get("/actors/civil-society-days/")

    assertContains(response, "No recommendation names this actor as responsible.")
    assert response.context["assessments"].update_count == 1


def test_a_theme_page_shows_its_breakdown_and_recommendations(client, brussels_2007):
    response = client.get("/themes/remittances/")

    assert response.status_code == 200
    assertContains(response, "Theme: Remittances")
    assert response.context["breakdown"].counts == {Status.NO_INFORMATION: 3, Status.STALLED: 1}
    assert len(response.context["page"].object_list) == 4
    assertContains(response, 'href="/recommendations/?status=stalled&amp;theme=remittances"')
    assertContains(response, 'href="/feeds/updates/?theme=remittances"')


@pytest.mark.parametrize("url", ["/actors/nobody/", "/themes/nothing/"])
def test_unknown_actors_and_themes_are_404(client, brussels_2007, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("size", [3, 18])
def test_actor_and_theme_pages_take_the_same_queries_for_any_number_of_recommendations(
    client, public_site_of_size, django_assert_num_queries, size
):
    recs = public_site_of_size(size)
    actor, theme = recs[0].actors.get(), recs[0].themes.first()
    # 1 the data version (tracker/http/cache.py), 2 the actor, 3 status counts (GROUP BY), 4 count and
    # 5 page of its recommendations, 6 their themes, 7 the counts of its approved updates and of the
    # recommendations they assess, 8 its latest assessment of each (with recommendation and forum),
    # 9 the other actors' assessments of those recommendations, 10 the response rate of each
    # reporting cycle over what it was asked (tracker.models.assessments, ReportingRequest).
    with django_assert_num_queries(10):
        assert client.get(actor.get_absolute_url()).status_code == 200
    # 1 the data version, 2 the theme, 3 status counts, 4 count and 5 page of its recommendations,
    # 6 their themes.
    with django_assert_num_queries(6):
        assert client.get(theme.get_absolute_url()).status_code == 200
