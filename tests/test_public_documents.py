"""/documents/ and /documents/<slug>/ (issue 15): every document with its date, symbol and link,
and what cites it: forums, recommendations (as their source), follow-up actions, links between
recommendations and approved progress updates (as evidence)."""

import datetime

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tracker.models import FollowUpAction, ProgressUpdate, RecommendationLink, Status


@pytest.fixture
def cited(brussels_2007, make_document, make_update):
    """The Brussels fixture's source document, also cited by a follow-up action, a link and an
    approved and a submitted progress update; and a second document cited by nothing."""
    document = brussels_2007.document
    recs = brussels_2007.recs
    FollowUpAction.objects.create(
        recommendation=recs["GFMD-2007-RT2-01"],
        document=document,
        date=datetime.date(2008, 10, 3),
        description="Cited.",
    )
    RecommendationLink.objects.filter(from_recommendation=recs["GFMD-2008-RT1A-01"]).update(
        source_document=document, basis="source", basis_note="Slide 9 says so."
    )
    make_update(
        recs["GFMD-2007-RT2-01"],
        brussels_2007.actors.belgium,
        status="in_progress",
        summary="Evidence in the IOM presentation.",
        reported_on=datetime.date(2008, 10, 3),
        source_document=document,
    )
    make_update(
        recs["GFMD-2007-RT2-02"],
        brussels_2007.actors.belgium,
        summary="A submission citing it: private.",
        source_document=document,
        review_state=ProgressUpdate.ReviewState.SUBMITTED,
    )
    make_document(
        slug="a-60-871",
        symbol="A/60/871",
        title="International migration and development",
        date=datetime.date(2006, 5, 18),
        url="https://example.org/a-60-871",
    )
    return document


def test_the_documents_index_lists_every_document_with_what_cites_it(client, cited, make_document):
    make_document(slug="an-old-report", title="An old report nothing cites", date=datetime.date(2001, 1, 1))
    make_document(slug="undated", title="A note of unknown date")

    response = client.get("/documents/")

    assert response.status_code == 200
    documents = {document.slug: document for document in response.context["page"].object_list}
    # The most cited first, then by date, undated last.
    assert list(documents) == ["iom-2008-current-priorities", "an-old-report", "a-60-871", "undated"]
    iom = documents["iom-2008-current-priorities"]
    assert (iom.forum_count, iom.recommendation_count, iom.follow_up_count, iom.link_count, iom.update_count) == (
        1,
        20,
        1,
        1,
        1,  # the submitted update is private
    )
    assertContains(response, '<span class="symbol code">A/60/871</span> <a href="/documents/a-60-871/">')
    assertContains(response, '<a href="https://example.org/a-60-871">Read it</a>', html=True)
    assertContains(response, '<time datetime="2006-05-18">18 May 2006</time>', html=True)
    for text in ("1 forum", "20 items as their source", "1 follow-up action", "1 link between recommendations"):
        assertContains(response, text)
    assertContains(response, "nothing tracked here yet")  # A/60/871 is cited by nothing here


def test_a_document_page_shows_everything_that_cites_it(client, cited):
    response = client.get("/documents/iom-2008-current-priorities/")

    assert response.status_code == 200
    assertContains(
        response, "<h1>Current Priorities in Intergovernmental Dialogues on Labour Migration</h1>", html=True
    )
    assert [forum.slug for forum in response.context["forums"]] == ["gfmd-2007-brussels"]
    assert response.context["page"].paginator.count == 20
    assert [action.recommendation.code for action in response.context["follow_ups"]] == ["GFMD-2007-RT2-01"]
    [link] = response.context["links"]
    assert (link.from_recommendation.code, link.to_recommendation.code) == ("GFMD-2008-RT1A-01", "GFMD-2007-RT1-02")
    assert [update.summary for update in response.context["updates"]] == ["Evidence in the IOM presentation."]
    assertNotContains(response, "A submission citing it: private.")
    assertContains(
        response, '<a href="/forums/gfmd-2007-brussels/">First Global Forum on Migration and Development, Brussels</a>'
    )
    # The status of the items it is the source of: GFMD-2007-RT2-01 was stalled, then in progress.
    assert {rec.code: rec.effective_status for rec in response.context["page"]}[
        "GFMD-2007-RT2-01"
    ] == Status.IN_PROGRESS


def test_a_document_page_as_of_a_date_shows_the_status_and_the_updates_of_then(client, cited):
    response = client.get("/documents/iom-2008-current-priorities/?as_of=2008-07-31")

    assert {rec.code: rec.effective_status for rec in response.context["page"]}["GFMD-2007-RT2-01"] == Status.STALLED
    assert list(response.context["updates"]) == []  # reported on 3 October 2008
    assertContains(response, 'href="/forums/gfmd-2007-brussels/?as_of=2008-07-31"')
    assert client.get("/documents/iom-2008-current-priorities/?as_of=someday").status_code == 400


def test_a_document_cited_by_nothing_says_so(client, cited):
    response = client.get("/documents/a-60-871/")

    assertContains(response, "No forum cites it.")
    assertContains(response, "No item tracked here comes from this document.")
    assertContains(response, "No approved progress update cites it.")
    assertContains(response, '<a href="https://example.org/a-60-871">https://example.org/a-60-871</a>', html=True)


def test_an_unknown_document_is_404(client, cited):
    assert client.get("/documents/nothing-here/").status_code == 404


def test_forum_and_recommendation_pages_link_their_documents_to_these_pages(client, cited):
    assertContains(client.get("/forums/gfmd-2007-brussels/"), 'href="/documents/iom-2008-current-priorities/"')
    assertContains(client.get("/recommendations/GFMD-2007-RT1-01/"), 'href="/documents/iom-2008-current-priorities/"')


@pytest.mark.parametrize("size", [2, 12])
def test_the_documents_pages_take_the_same_queries_for_any_amount_of_data(
    client, brussels_2007, make_document, make_forum, make_update, django_assert_num_queries, size
):
    document = brussels_2007.document
    recs = list(brussels_2007.recs.values())
    for n in range(size):
        make_document().editorial_facts.create(field="date", note="Added.")
        make_forum().documents.add(document)
        FollowUpAction.objects.create(recommendation=recs[n], document=document)
        make_update(
            recs[n], brussels_2007.actors.civil, source_document=document, reported_on=datetime.date(2009, 1, 1)
        )
    RecommendationLink.objects.update(source_document=document)
    # 1 the data version (tracker/http/cache.py), 2 the page's count, 3 its documents with their
    # counts (correlated subqueries), 4 their editorial facts.
    with django_assert_num_queries(4):
        assert client.get("/documents/").status_code == 200
    # 1 the data version, 2 the document, 3 its editorial facts, 4 the forums that cite it, 5 the
    # count and 6 the page of the recommendations it is the source of, 7 their themes, 8 the
    # follow-up actions and 9 the links it documents, 10 the latest updates citing it and 11 their count.
    with django_assert_num_queries(11):
        assert client.get(document.get_absolute_url() + "?as_of=2009-06-01").status_code == 200
