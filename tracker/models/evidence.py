"""Evidence files attached to a progress update: PDFs, office documents and images.

A file's type is decided by its content (its first bytes, read by the `filetype` library), never
by the name or the Content-Type the browser sent; only the types in `ALLOWED_TYPES` are kept, and
the stored name gets the extension of the detected type. The size limit is the setting
`TRACKER_EVIDENCE_MAX_BYTES` (default 20 MB). Files go through Django's storage API (the
`default` storage: a local folder by default, an S3-compatible store with django-storages), under
`evidence/<year>/<month>/<random>/<name>`, which no URL serves directly: `tracker.views.evidence`
serves a file only to those who may see its update.
"""

import hashlib
import secrets

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from .clean_fields import CleanCharField

# Detected MIME type -> (extension, name shown to people).
ALLOWED_TYPES = {
    "application/pdf": ("pdf", "PDF"),
    "image/jpeg": ("jpg", "JPEG image"),
    "image/png": ("png", "PNG image"),
    "image/gif": ("gif", "GIF image"),
    "image/webp": ("webp", "WebP image"),
    "application/msword": ("doc", "Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "Word document"),
    "application/vnd.ms-excel": ("xls", "Excel workbook"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", "Excel workbook"),
    "application/vnd.ms-powerpoint": ("ppt", "PowerPoint presentation"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx", "PowerPoint presentation"),
    "application/vnd.oasis.opendocument.text": ("odt", "OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods", "OpenDocument spreadsheet"),
    "application/vnd.oasis.opendocument.presentation": ("odp", "OpenDocument presentation"),
}
# Shown in the browser rather than downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"})
SNIFF_BYTES = 8192
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def max_bytes():
    """The largest evidence file accepted, in bytes (setting TRACKER_EVIDENCE_MAX_BYTES)."""
    return int(getattr(settings, "TRACKER_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def describe_size(size):
    """`size` bytes as people read it: "830 bytes", "12.5 KB", "4.2 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def inspect_upload(upload):
    """Check an uploaded file and describe it: {"content_type", "extension", "size", "sha256"}.

    `upload` is a Django File (UploadedFile or File over an open binary file). Reads it once, in
    chunks. Raises ValidationError (code "too_large", "empty" or "type") naming the limit or the
    accepted types; nothing is stored by this function."""
    size = upload.size
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            _("This file is %(size)s; the largest accepted is %(limit)s."),
            code="too_large",
            params={"size": describe_size(size), "limit": describe_size(limit)},
        )
    digest = hashlib.sha256()
    head = b""
    total = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
        total += len(chunk)
    upload.seek(0)
    if total == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if total > limit:
        raise ValidationError(
            _("This file is %(size)s; the largest accepted is %(limit)s."),
            code="too_large",
            params={"size": describe_size(total), "limit": describe_size(limit)},
        )
    kind = filetype.guess(head)
    content_type = kind.mime if kind else None
    if content_type not in ALLOWED_TYPES:
        accepted = ", ".join(sorted({ext.upper() for ext, _name in ALLOWED_TYPES.values()}))
        raise ValidationError(
            _("This file is not a PDF, office document or image (accepted: %(accepted)s)."),
            code="type",
            params={"accepted": accepted},
        )
    return {
        "content_type": content_type,
        "extension": ALLOWED_TYPES[content_type][0],
        "size": total,
        "sha256": digest.hexdigest(),
    }


def evidence_upload_to(instance, filename):
    """evidence/<yyyy>/<mm>/<random>/<safe name>.<detected extension>: unguessable, and the
    extension always that of the content."""
    stem = get_valid_filename(filename.rsplit(".", 1)[0])[:80] or "evidence"
    extension = ALLOWED_TYPES.get(instance.content_type, ("bin",))[0]
    now = timezone.now()
    return f"evidence/{now:%Y/%m}/{secrets.token_urlsafe(12)}/{stem}.{extension}"


class EvidenceFileQuerySet(models.QuerySet):
    def public(self):
        """Files everyone may see: public ones of approved updates."""
        return self.filter(is_public=True, update__review_state="approved")

    def visible_to(self, user):
        """Files `user` may see: all for the secretariat, its own actor's and the public ones for a
        focal point, the public ones for anyone else."""
        from tracker.roles import is_secretariat

        if is_secretariat(user):
            return self
        if user.is_authenticated and user.is_active and user.is_staff and user.actor_id:
            return self.filter(
                models.Q(update__actor_id=user.actor_id) | models.Q(is_public=True, update__review_state="approved")
            )
        return self.public()


class EvidenceFile(models.Model):
    """A file supporting a progress update. Public ones are shown with the update once it is
    approved; staff-only ones are seen by the secretariat and the update's own actor only."""

    update = models.ForeignKey(
        "tracker.ProgressUpdate", on_delete=models.CASCADE, related_name="files", verbose_name=_("progress update")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255)
    title = CleanCharField(
        _("title"), max_length=200, blank=True, default="", help_text=_("Shown instead of the file name.")
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown to everyone with the update once it is approved; otherwise staff only."),
    )
    content_type = models.CharField(_("type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        ordering = ["update", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__in=list(ALLOWED_TYPES)),
                name="%(app_label)s_%(class)s_type_allowed",
                violation_error_message=_("This type of file is not accepted."),
            ),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        # Whatever path saves a new file (form, API, shell), its details come from its content.
        # A file never changes once stored: another file is another row.
        if self.file and self.pk is None and not self.sha256:
            details = inspect_upload(self.file)
            self.content_type, self.size, self.sha256 = details["content_type"], details["size"], details["sha256"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tracker:evidence-file", args=[self.update_id, self.pk, self.file_name])

    def clean(self):
        """Inspect a newly chosen file: type by content, size, hash (ValidationError on `file`)."""
        super().clean()
        if self.file and self.pk is None:
            try:
                details = inspect_upload(self.file)
            except ValidationError as exc:
                raise ValidationError({"file": exc.error_list}) from None
            self.content_type = details["content_type"]
            self.size = details["size"]
            self.sha256 = details["sha256"]

    @property
    def file_name(self):
        """The stored file's name without its folders ("Decree_12.pdf"), the last part of its URL."""
        return self.file.name.rsplit("/", 1)[-1]

    @property
    def display_name(self):
        """The title, or the stored file name."""
        return self.title or self.file_name

    @property
    def kind_label(self):
        """What the detected type is called: "PDF", "Word document", ..."""
        return ALLOWED_TYPES.get(self.content_type, ("", self.content_type))[1]

    @property
    def size_label(self):
        """The size as people read it ("4.2 MB")."""
        return describe_size(self.size)

    @property
    def is_inline(self):
        """Whether browsers may show it in place (PDF, images) rather than download it."""
        return self.content_type in INLINE_TYPES
