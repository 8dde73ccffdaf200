"""Editorial judgements are shown as such (issue 15): on the seed data (fixtures/*.json), every
editorial framework mapping, link between recommendations and fact is labelled "Editorial" on its
page, with the one-line explanation and its note, and nothing that the source says is."""

import html
import re
from pathlib import Path

import pytest

from tracker.models import Basis, EditorialFact, ObjectiveMapping, Recommendation, RecommendationLink
from tracker.models.provenance import EDITORIAL_EXPLANATION

FIXTURES = sorted(str(path) for path in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))
LABEL = '<span class="editorial-label">Editorial</span>'
# Every "Editorial" label, including those that point to a note written once under a list.
ANY_LABEL = re.compile(r'<span class="editorial-label"( aria-describedby="([^"]+)")?>Editorial</span>')
# Where a page shows each field an EditorialFact can name: the id of its element.
FACT_ELEMENTS = {"start_date": "fact-dates", "end_date": "fact-dates", "city": "fact-place", "country": "fact-place"}

pytestmark = pytest.mark.skipif(not FIXTURES, reason="no seed fixtures in fixtures/")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def element(content, tag, id_):
    """The inner HTML of the element `<tag id="id_">` (no element of the same tag nested in it)."""
    found = re.search(rf'<{tag}\b[^>]*\bid="{re.escape(id_)}"[^>]*>(.*?)</{tag}>', content, re.S)
    assert found, f"no <{tag} id={id_!r}>"
    return found.group(1)


def assert_labelled(fragment, note):
    assert LABEL in fragment
    assert str(EDITORIAL_EXPLANATION) in html.unescape(fragment)
    assert " ".join(note.split()) in " ".join(html.unescape(fragment).split())


def test_the_seed_classifies_its_items_as_the_issue_says(seed):
    assert not ObjectiveMapping.objects.exclude(basis=Basis.EDITORIAL).exists()
    assert ObjectiveMapping.objects.count() == 98
    sources = RecommendationLink.objects.filter(basis=Basis.SOURCE)
    assert sorted((link.from_recommendation.code, link.to_recommendation.code) for link in sources) == [
        ("EXP-LM-PD-01", "HLD-2006-OUT-02"),
        ("GFMD-2007-OUT-01", "HLD-2006-OUT-05"),
    ]
    assert RecommendationLink.objects.filter(basis=Basis.EDITORIAL).count() == 5
    assert EditorialFact.objects.count() == 6


def test_every_editorial_mapping_and_link_is_labelled_on_the_recommendation_pages_and_no_source_link_is(client, seed):
    for recommendation in Recommendation.objects.prefetch_related("objective_mappings__frameworkobjective"):
        content = page(client, recommendation.get_absolute_url())
        expected, notes = 0, set()
        for mapping in recommendation.objective_mappings.all():
            fragment = element(content, "li", f"mapping-{mapping.frameworkobjective.slug}")
            label = ANY_LABEL.search(fragment)
            if mapping.basis == Basis.EDITORIAL:
                # Labelled, and pointing to the explanation with its note, written once under the list.
                assert label and label.group(2), (recommendation.code, mapping.frameworkobjective.slug)
                assert_labelled(element(content, "p", label.group(2)), mapping.basis_note)
                expected += 1
                notes.add(label.group(2))
            else:
                assert label is None
        expected += len(notes)
        links = RecommendationLink.objects.filter(
            from_recommendation=recommendation
        ) | RecommendationLink.objects.filter(to_recommendation=recommendation)
        for link in links.select_related("from_recommendation", "to_recommendation"):
            other = link.to_recommendation if link.from_recommendation == recommendation else link.from_recommendation
            fragment = element(content, "tr", f"link-{other.code}")
            if link.basis == Basis.EDITORIAL:
                assert_labelled(fragment, link.basis_note)
                expected += 1
            else:
                assert LABEL not in fragment, (recommendation.code, other.code)
        # Nothing else on the page is labelled.
        assert len(ANY_LABEL.findall(content)) == expected, recommendation.code


def test_the_source_based_links_carry_no_label_on_either_page(client, seed):
    for from_code, to_code in [("EXP-LM-PD-01", "HLD-2006-OUT-02"), ("GFMD-2007-OUT-01", "HLD-2006-OUT-05")]:
        assert LABEL not in element(page(client, f"/recommendations/{from_code}/"), "tr", f"link-{to_code}")
        assert LABEL not in element(page(client, f"/recommendations/{to_code}/"), "tr", f"link-{from_code}")


def test_every_editorial_fact_is_labelled_beside_its_field_and_nothing_else_on_forum_and_document_pages(client, seed):
    facts = EditorialFact.objects.select_related("forum", "document")
    owners = {fact.forum or fact.document for fact in facts}
    assert {owner.slug for owner in owners} == {"gcim-2005-report", "hld-2006", "gfmd-2008-manila"} | {
        "gcim-2005-migration-in-an-interconnected-world",
        "a-60-871",
    }
    for owner in owners:
        content = page(client, owner.get_absolute_url())
        own = [fact for fact in facts if (fact.forum or fact.document) == owner]
        for fact in own:
            assert_labelled(element(content, "dd", FACT_ELEMENTS.get(fact.field, f"fact-{fact.field}")), fact.note)
        assert content.count(LABEL) == len(own), owner  # no link cites these documents
    assert LABEL not in page(client, "/forums/gfmd-2007-brussels/")  # no editorial fact


def test_a_document_page_labels_the_editorial_links_it_supports_and_not_the_source_ones(client, seed):
    document = "iom-2008-current-priorities-labour-migration"
    content = page(client, f"/documents/{document}/")
    links = RecommendationLink.objects.filter(source_document__slug=document)
    assert links.count() == 7
    for link in links.select_related("from_recommendation", "to_recommendation"):
        fragment = element(content, "li", f"link-{link.from_recommendation.code}-{link.to_recommendation.code}")
        if link.basis == Basis.EDITORIAL:
            assert_labelled(fragment, link.basis_note)
        else:
            assert LABEL not in fragment
    assert content.count(LABEL) == 5


def test_the_documents_index_labels_the_editorial_titles_and_dates(client, seed):
    content = page(client, "/documents/")
    a_60_871 = element(content, "tr", "document-a-60-871")
    assert a_60_871.count(LABEL) == 2  # its title and its date
    assert element(content, "tr", "document-gcim-2005-migration-in-an-interconnected-world").count(LABEL) == 1
    assert content.count(LABEL) == 3
