"""Template tags that show provenance: an editorial judgement (a framework mapping, a link between
recommendations, a fact the source does not give) is labelled "Editorial" with the one-line
explanation (`tracker.models.provenance.EDITORIAL_EXPLANATION`) and its note, as visible text;
what the source says carries no label."""

from django import template

from tracker.models import Basis
from tracker.models.provenance import EDITORIAL_EXPLANATION

register = template.Library()
LABEL = "tracker/includes/editorial_label.html"


def _label(note):
    return {"editorial": True, "explanation": EDITORIAL_EXPLANATION, "note": note}


@register.inclusion_tag(LABEL)
def basis_label(item):
    """The "Editorial" label of `item` (an ObjectiveMapping or a RecommendationLink: anything with
    `basis` and `basis_note`) when its basis is editorial; nothing when the source says so."""
    if getattr(item, "basis", None) != Basis.EDITORIAL:
        return {"editorial": False}
    return _label(item.basis_note)


@register.inclusion_tag(LABEL)
def fact_label(editorial, field):
    """The "Editorial" label of the field `field` of a forum or a document when the secretariat
    added its value: `editorial` is {field: note} of its EditorialFacts (the view builds it)."""
    if field not in (editorial or {}):
        return {"editorial": False}
    return _label(editorial[field])


@register.simple_tag
def editorial_notes(items, prefix):
    """For a list of `items` shown together (a recommendation's framework mappings, which share
    one note more often than not): the distinct notes of the editorial ones, in order, as
    [(element id, note)], so each note is written once under the list; each editorial item gets
    `editorial_note_id`, the id of its note, for its label to point to (`aria-describedby`)."""
    notes = {}
    for item in items:
        if getattr(item, "basis", None) == Basis.EDITORIAL:
            item.editorial_note_id = notes.setdefault(item.basis_note, f"{prefix}-{len(notes) + 1}")
    return [(element_id, note) for note, element_id in notes.items()]


@register.inclusion_tag("tracker/includes/editorial_note.html")
def editorial_note(element_id, note):
    """The "Editorial" label with the explanation and `note`, as a paragraph of id `element_id`."""
    return {"element_id": element_id, "explanation": EDITORIAL_EXPLANATION, "note": note}
