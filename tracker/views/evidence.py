from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from tracker.models import EvidenceFile


@require_safe
def evidence_file(request, update_id, file_id, name):
    """One evidence file, as its update is reachable: to everyone when the update is approved and
    the file public; otherwise to staff who may see the update (the secretariat, the update's own
    actor). Anyone else gets 404, as if it did not exist. PDFs and images open in the browser,
    office documents download; either way under their detected type, `nosniff`, and a sandbox CSP
    so a file can never run script in the site's origin."""
    evidence = (
        EvidenceFile.objects.select_related("update")
        .filter(pk=file_id, update_id=update_id)
        .visible_to(request.user)
        .first()
    )
    if evidence is None or evidence.file_name != name:
        raise Http404("No such file.")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    response = FileResponse(
        handle,
        content_type=evidence.content_type,
        as_attachment=not evidence.is_inline,
        filename=name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    public = evidence.is_public and evidence.update.review_state == evidence.update.ReviewState.APPROVED
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response
