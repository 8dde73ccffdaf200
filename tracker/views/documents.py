"""The documents index and each document's page: the seed's source and related documents, and
every forum, recommendation, follow-up action, link and public progress update that cites one."""

from django.shortcuts import get_object_or_404, render

from tracker.models import Document, ProgressUpdate, RecommendationLink

from .common import paginate, read_as_of

DOCUMENTS_PER_PAGE = 100
RECENT_UPDATES = 30


def document_list(request):
    """Every document, the most cited first, with its symbol, date and link where known, what cites it and
    the fields the secretariat added (editorial facts). Three queries: the page's count, its
    documents with their counts (`Document.objects.for_index()`) and their editorial facts."""
    page = paginate(request, Document.objects.for_index(), DOCUMENTS_PER_PAGE)
    for document in page.object_list:
        document.editorial = {fact.field: fact.note for fact in document.editorial_facts.all()}
    # No status here, but a reader who came as of a date keeps it in the links to the documents.
    as_of, as_of_form = read_as_of(request)
    context = {"section": "documents", "page": page, "as_of": as_of, "as_of_form": as_of_form}
    return render(request, "tracker/document_list.html", context, status=400 if as_of_form.errors else 200)


def document_detail(request, slug):
    """A document: its facts (each field the secretariat added labelled "Editorial", with its
    note), the forums that cite it, the recommendations it is the source of (with their status as
    of `?as_of=`, paginated), the follow-up actions and links between recommendations it
    documents, and the latest approved progress updates that cite it as evidence (reported by
    `as_of`). Ten queries whatever the amount of data."""
    document = get_object_or_404(Document, slug=slug)
    as_of, as_of_form = read_as_of(request)
    recommendations = document.recommendations.with_effective_status(as_of).for_list().with_last_update(as_of)
    updates = ProgressUpdate.objects.reported_by_on(as_of).filter(source_document=document)
    links = RecommendationLink.objects.filter(source_document=document).select_related(
        "from_recommendation__forum", "to_recommendation__forum"
    )
    context = {
        "section": "documents",
        "document": document,
        "editorial": {fact.field: fact.note for fact in document.editorial_facts.all()},
        "as_of": as_of,
        "as_of_form": as_of_form,
        "forums": document.forums.in_date_order(),
        "page": paginate(request, recommendations),
        "follow_ups": document.acted_on.select_related("recommendation__forum", "forum"),
        "links": links,
        "updates": updates.for_public_list()[:RECENT_UPDATES],
        "update_count": updates.count(),
    }
    return render(request, "tracker/document_detail.html", context, status=400 if as_of_form.errors else 200)
