"""Provenance of editorial judgements: who asserted a framework mapping, a link between
recommendations or a fact that the source document does not state, when, and on what basis.

`source` means the source document says it (cite where in the note); `editorial` means the
secretariat judged it (the note says why). Pages label editorial items "Editorial"; the API and
the exports carry `basis` and `basis_note`.
"""

from django.conf import settings
from django.db import models
from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .clean_fields import CleanCharField, CleanTextField


class Basis(models.TextChoices):
    SOURCE = "source", _("Source")
    EDITORIAL = "editorial", _("Editorial")


# The one-line explanation shown beside every "Editorial" label.
EDITORIAL_EXPLANATION = _("The secretariat's judgement, not stated in the source document.")


class Asserted(models.Model):
    """Abstract: who asserted a judgement (a user, or null for the seed data) and when."""

    asserted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asserted by"),
    )
    asserted_at = models.DateTimeField(_("asserted at"), default=timezone.now)

    class Meta:
        abstract = True


class Provenance(Asserted):
    """Abstract: `basis` (source or editorial, editorial by default: what staff add is their
    judgement unless they cite the source), `basis_note`, `asserted_by` (a user, or null for
    the seed data), `asserted_at`."""

    basis = models.CharField(
        _("basis"),
        max_length=20,
        choices=Basis.choices,
        default=Basis.EDITORIAL,
        help_text=_("Source: the source document says so. Editorial: the secretariat's judgement."),
    )
    basis_note = CleanTextField(
        _("basis note"),
        blank=True,
        default="",
        help_text=_("Where the source says it, or why the secretariat judged so."),
    )

    class Meta:
        abstract = True

    @property
    def is_editorial(self):
        return self.basis == Basis.EDITORIAL


class ObjectiveMapping(Provenance):
    """A recommendation mapped to a framework objective (GCM objective, SDG target). Every mapping
    of the seed is editorial: the source (2008) predates both frameworks."""

    recommendation = models.ForeignKey(
        "tracker.Recommendation", on_delete=models.CASCADE, related_name="objective_mappings"
    )
    # Named as in the automatic link table this model took over (tracker_recommendation_objectives).
    frameworkobjective = models.ForeignKey(
        "tracker.FrameworkObjective", on_delete=models.CASCADE, related_name="mappings", verbose_name=_("objective")
    )

    class Meta:
        db_table = "tracker_recommendation_objectives"  # the table of the former automatic link
        ordering = ["frameworkobjective__order", "id"]
        verbose_name = _("framework mapping")
        verbose_name_plural = _("framework mappings")
        # As the automatic link table had it (the same index, kept).
        unique_together = [("recommendation", "frameworkobjective")]

    def __str__(self):
        return f"{self.recommendation_id} → {self.frameworkobjective_id}"


def mapping_export_entry(separator):
    """An expression of an ObjectiveMapping row for the export: "slug<separator>GCM 6<separator>basis"
    (the objective's slug and label, the mapping's basis), computed in SQL."""
    return Concat(
        "frameworkobjective__slug",
        Value(separator),
        Upper("frameworkobjective__framework"),
        Value(" "),
        "frameworkobjective__number",
        Value(separator),
        "basis",
        output_field=CharField(),
    )


class EditorialFact(Asserted):
    """A field of a forum or a document whose value the source document does not give (the
    secretariat added it): the field's name and the note that says where it comes from."""

    forum = models.ForeignKey(
        "tracker.Forum", on_delete=models.CASCADE, null=True, blank=True, related_name="editorial_facts"
    )
    document = models.ForeignKey(
        "tracker.Document", on_delete=models.CASCADE, null=True, blank=True, related_name="editorial_facts"
    )
    field = CleanCharField(_("field"), max_length=40, help_text=_("e.g. city, host, date, title."))
    note = CleanTextField(_("note"), blank=True, default="", help_text=_("Where the value comes from."))

    class Meta:
        ordering = ["forum", "document", "field"]
        verbose_name = _("editorial fact")
        verbose_name_plural = _("editorial facts")
        constraints = [
            models.CheckConstraint(
                condition=Q(forum__isnull=False, document__isnull=True) | Q(forum__isnull=True, document__isnull=False),
                name="%(app_label)s_%(class)s_one_record",
                violation_error_message=_("An editorial fact belongs to one forum or one document."),
            ),
            models.UniqueConstraint(fields=["forum", "field"], name="%(app_label)s_%(class)s_forum_field_unique"),
            models.UniqueConstraint(fields=["document", "field"], name="%(app_label)s_%(class)s_document_field_unique"),
        ]

    def __str__(self):
        return f"{self.forum_id or self.document_id}.{self.field}"
