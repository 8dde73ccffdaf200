"""/recommendations/<code>/: text, source, status, assessments side by side, the timeline of
approved updates, related recommendations in both directions and follow-up actions."""

import datetime

import pytest
from pytest_django.asserts import assertContains, assertNotContains


def test_the_detail_page_shows_the_text_source_and_current_status(client, brussels_2007):
    response = client.get("/recommendations/GFMD-2007-RT1-02/")

    assert response.status_code == 200
    assertContains(response, '<h1 class="rec-title">Develop codes of ethical recruitment</h1>', html=True)
    assertContains(response, 'href="/forums/gfmd-2007-brussels/"')
    assertContains(response, "1. Human capital development and labour mobility")
    assertContains(response, "Current Priorities in Intergovernmental Dialogues on Labour Migration")
    assertContains(response, "slide 6")
    assertContains(response, '<span class="badge status-in_progress">In progress</span>', html=True)
    assertContains(response, "since the update reported on 2 October 2008")
    assertContains(response, 'href="/themes/labour-mobility/"')
    assertContains(response, 'href="/actors/belgium/"')
    assertContains(response, 'href="/recommendations/?objective=gcm-6"')


def test_the_latest_assessment_of_each_actor_is_shown_side_by_side(client, brussels_2007, make_update):
    # An older assessment by the Philippines is superseded by its own later one.
    make_update(
        brussels_2007.recs["GFMD-2007-RT1-02"],
        brussels_2007.actors.philippines,
        status="not_started",
        summary="Older self-assessment.",
        reported_on=datetime.date(2008, 1, 15),
    )
    response = client.get("/recommendations/GFMD-2007-RT1-02/")

    assessments = response.context["assessments"]
    assert [(u.actor.slug, u.status) for u in assessments] == [
        ("civil-society-days", "in_progress"),
        ("philippines", "partially_implemented"),
    ]
    assertContains(response, '<li class="assessment">', count=2)


def test_the_timeline_lists_approved_updates_newest_first_with_evidence_links(client, brussels_2007):
    response = client.get("/recommendations/GFMD-2007-RT1-06/")

    timeline = response.context["timeline"]
    assert [update.reported_on.isoformat() for update in timeline] == ["2008-09-09", "2008-03-01"]
    assertContains(response, f'id="update-{timeline[0].pk}"')
    assertContains(response, '<time datetime="2008-09-09">9 Sep 2008</time>', html=True)
    assertContains(response, 'href="https://example.org/mauritius-2008"')


def test_unapproved_updates_are_never_shown(client, brussels_2007):
    response = client.get("/recommendations/GFMD-2007-RT3-01/")

    assertNotContains(response, "must never be public")
    assert response.context["timeline"] == []
    assertContains(response, "No approved progress update yet")
    assertContains(response, '<span class="badge status-no_information">No information</span>', html=True)


def test_an_evidence_link_that_is_not_http_is_not_made_clickable(client, brussels_2007, make_update):
    make_update(
        brussels_2007.recs["GFMD-2007-RT4-01"],
        brussels_2007.actors.belgium,
        summary="Loaded from a fixture without validation.",
        evidence_url="javascript:alert(1)",
    )
    response = client.get("/recommendations/GFMD-2007-RT4-01/")

    assertNotContains(response, "javascript:")


def test_user_text_is_escaped(client, brussels_2007, make_update):
    make_update(
        brussels_2007.recs["GFMD-2007-RT4-02"], brussels_2007.actors.belgium, summary="<script>alert('x')</script>"
    )
    response = client.get("/recommendations/GFMD-2007-RT4-02/")

    assertNotContains(response, "<script>alert")
    assertContains(response, "&lt;script&gt;")


def test_related_recommendations_are_linked_in_both_directions_with_inverse_labels(client, brussels_2007):
    earlier = client.get("/recommendations/GFMD-2007-RT1-02/")
    later = client.get("/recommendations/GFMD-2008-RT1A-01/")

    assert [(r.label, r.recommendation.code) for r in earlier.context["related"]] == [
        ("followed up by", "GFMD-2008-RT1A-01")
    ]
    assert [(r.label, r.recommendation.code) for r in later.context["related"]] == [("follows up", "GFMD-2007-RT1-02")]
    assertContains(earlier, 'href="/recommendations/GFMD-2008-RT1A-01/"')
    assertContains(later, 'href="/recommendations/GFMD-2007-RT1-02/"')


def test_follow_up_actions_name_the_forum_that_acted(client, brussels_2007):
    response = client.get("/recommendations/GFMD-2007-RT1-06/")

    assertContains(response, "Follow-up actions")
    assertContains(response, 'href="/forums/ec-2008-mauritius-circular-migration/"')
    assertContains(response, "The European Commission held the workshop on circular migration in Mauritius.")


def test_an_unknown_code_is_404(client, brussels_2007):
    assert client.get("/recommendations/GFMD-1999-RT9-99/").status_code == 404


@pytest.mark.parametrize("size", [3, 25])
def test_the_detail_page_takes_the_same_queries_however_many_updates_and_links(
    client, public_site_of_size, django_assert_num_queries, size
):
    recs = public_site_of_size(size)
    # recs[0] is linked from every other recommendation, so its links grow with the size.
    # 1 the data version (tracker/http/cache.py),
    # 2 the recommendation with forum, process, roundtable, parent and source document,
    # 3 themes, 4 actors, 5 objectives, 6 approved updates with actor and document,
    # 7 links out, 8 links in (each with the other recommendation and its forum), 9 follow-ups,
    # 10 the response rate of each reporting cycle over it (one GROUP BY whatever the number of cycles).
    with django_assert_num_queries(10):
        assert client.get(recs[0].get_absolute_url()).status_code == 200
    # recs[1] has an approved update: 11 the public evidence files of its timeline (one query
    # for all its updates; none when the timeline is empty, as for recs[0]).
    with django_assert_num_queries(11):
        assert client.get(recs[1].get_absolute_url()).status_code == 200
