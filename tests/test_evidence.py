"""Evidence files on progress updates: type read from the content, size limited, stored through
Django's storage, public or staff-only, reachable only as their update is, listed on the public
timeline and in the API, and carried by backups."""

import io
import json
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tracker import services
from tracker.models import EvidenceFile, ProgressUpdate
from tracker.models.evidence import inspect_upload

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx_bytes():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("minutes.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("figures.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        # The name does not matter, only the content: a PDF called .txt is a PDF.
        ("renamed.txt", PDF, "application/pdf"),
    ],
    ids=["pdf", "png", "jpeg", "docx", "xlsx", "pdf-named-txt"],
)
def test_the_type_is_read_from_the_content(name, content, expected):
    details = inspect_upload(upload(name, content))
    assert details["content_type"] == expected
    assert details["size"] == len(content)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "type"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "type"),
        ("tool.pdf", b"MZ\x90\x00" + b"\x00" * 200, "type"),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 100, "type"),
        ("empty.pdf", b"", "empty"),
    ],
    ids=["html", "svg", "exe", "zip", "empty"],
)
def test_other_content_is_refused_whatever_its_name(name, content, code):
    with pytest.raises(ValidationError) as caught:
        inspect_upload(upload(name, content, "application/pdf"))
    assert caught.value.code == code


def test_the_size_limit_is_a_setting_and_the_message_names_it(settings):
    settings.TRACKER_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        inspect_upload(upload("big.pdf", PDF + b"0" * 2000))
    assert caught.value.code == "too_large"
    assert "1.0 KB" in caught.value.messages[0]
    assert inspect_upload(upload("small.pdf", PDF))["size"] == len(PDF)


@pytest.fixture
def submitted_a(api_world, focal_a, actor_a):
    return services.record_progress(
        api_world.ethical, user=focal_a, actor=actor_a, status="in_progress", summary="Code drafted."
    )


def test_a_focal_point_attaches_files_stored_under_the_detected_extension(submitted_a, focal_a):
    evidence = services.add_evidence(submitted_a, user=focal_a, file=upload("Decree 12.txt", PDF), is_public=True)
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.startswith("evidence/") and evidence.file.name.endswith("/Decree_12.pdf")
    with default_storage.open(evidence.file.name, "rb") as stored:
        assert stored.read() == PDF
    assert evidence.uploaded_by == focal_a
    submitted_a.refresh_from_db()
    assert submitted_a.version == 2  # the update's API answer changed


def test_a_refused_file_stores_nothing(submitted_a, focal_a):
    before = set(default_storage.listdir("evidence")[0]) if default_storage.exists("evidence") else set()
    with pytest.raises(ValidationError) as caught:
        services.add_evidence(submitted_a, user=focal_a, file=upload("x.pdf", b"<html></html>"))
    assert "file" in caught.value.message_dict
    assert not EvidenceFile.objects.exists()
    after = set(default_storage.listdir("evidence")[0]) if default_storage.exists("evidence") else set()
    assert after == before


def test_only_those_who_may_revise_the_update_may_attach(submitted_a, focal_a, focal_b, secretariat_user):
    with pytest.raises(PermissionDenied):
        services.add_evidence(submitted_a, user=focal_b, file=upload("a.pdf", PDF))
    services.approve_update(submitted_a, user=secretariat_user)
    with pytest.raises(PermissionDenied):
        services.add_evidence(submitted_a, user=focal_a, file=upload("a.pdf", PDF))
    services.add_evidence(submitted_a, user=secretariat_user, file=upload("a.pdf", PDF))
    assert submitted_a.files.count() == 1


@pytest.fixture
def two_files(submitted_a, focal_a):
    public = services.add_evidence(submitted_a, user=focal_a, file=upload("decree.pdf", PDF), is_public=True)
    private = services.add_evidence(submitted_a, user=focal_a, file=upload("memo.docx", docx_bytes()))
    return public, private


def test_a_file_is_reachable_only_as_its_update_is(client, two_files, submitted_a, focal_a, focal_b, secretariat_user):
    public, private = two_files
    # Submitted, not yet approved: nobody outside the staff sees either file.
    assert client.get(public.get_absolute_url()).status_code == 404
    assert client.get(private.get_absolute_url()).status_code == 404
    client.force_login(focal_b)
    assert client.get(public.get_absolute_url()).status_code == 404
    client.force_login(focal_a)
    assert client.get(private.get_absolute_url()).status_code == 200
    services.approve_update(submitted_a, user=secretariat_user)
    client.logout()
    response = client.get(public.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    # Staff-only stays staff-only after approval.
    assert client.get(private.get_absolute_url()).status_code == 404
    client.force_login(focal_b)
    assert client.get(private.get_absolute_url()).status_code == 404
    client.force_login(secretariat_user)
    response = client.get(private.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"


def test_a_wrong_name_or_update_is_404(client, two_files, submitted_a, secretariat_user):
    public, _private = two_files
    services.approve_update(submitted_a, user=secretariat_user)
    name = public.file.name.rsplit("/", 1)[-1]
    assert (
        client.get(reverse("tracker:evidence-file", args=[submitted_a.pk, public.pk, "other.pdf"])).status_code == 404
    )
    assert client.get(reverse("tracker:evidence-file", args=[submitted_a.pk + 1, public.pk, name])).status_code == 404


def test_public_files_are_on_the_timeline_and_in_the_api(client, two_files, submitted_a, secretariat_user, api_world):
    public, private = two_files
    services.approve_update(submitted_a, user=secretariat_user)
    page = client.get(api_world.ethical.get_absolute_url()).content.decode()
    assert public.get_absolute_url() in page and "PDF" in page
    assert private.get_absolute_url() not in page
    body = client.get(f"/api/v1/updates/{submitted_a.pk}/").json()
    assert [entry["name"] for entry in body["files"]] == ["decree.pdf"]
    entry = body["files"][0]
    assert entry["url"] == "http://testserver" + public.get_absolute_url()
    assert entry["size"] == len(PDF) and entry["content_type"] == "application/pdf"
    assert len(entry["sha256"]) == 64


def _admin_data(recommendation, actor, files_total=1, **extra):
    data = {
        "recommendation": recommendation.pk,
        "actor": actor.pk,
        "status": "in_progress",
        "reported_on": "2009-03-01",
        "summary": "Ministry adopted a code",
        "evidence_url": "",
        "source_document": "",
        "files-TOTAL_FORMS": str(files_total),
        "files-INITIAL_FORMS": "0",
        "files-MIN_NUM_FORMS": "0",
        "files-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_the_admin_form_takes_a_file_with_the_report(client, focal_a, actor_a, api_world):
    client.force_login(focal_a)
    response = client.post(
        reverse("admin:tracker_progressupdate_add"),
        _admin_data(api_world.ethical, actor_a, **{"files-0-file": upload("law.pdf", PDF), "files-0-is_public": "on"}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    update = ProgressUpdate.objects.get(summary="Ministry adopted a code")
    assert update.review_state == "submitted"
    (evidence,) = update.files.all()
    assert evidence.is_public and evidence.content_type == "application/pdf" and evidence.uploaded_by == focal_a


def test_a_bad_file_in_the_admin_form_is_named_and_nothing_is_saved(client, focal_a, actor_a, api_world):
    client.force_login(focal_a)
    response = client.post(
        reverse("admin:tracker_progressupdate_add"),
        _admin_data(api_world.ethical, actor_a, **{"files-0-file": upload("law.pdf", b"<html>not a pdf</html>")}),
    )
    assert response.status_code == 200
    assert "is not a PDF, office document or image" in response.content.decode()
    assert not ProgressUpdate.objects.filter(summary="Ministry adopted a code").exists()
    assert not EvidenceFile.objects.exists()


def test_the_review_page_lists_the_files(client, two_files, submitted_a, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get(f"/admin/tracker/progressupdate/{submitted_a.pk}/review/").content.decode()
    public, private = two_files
    assert public.get_absolute_url() in page and private.get_absolute_url() in page
    assert "staff only" in page and "public once approved" in page


@pytest.mark.django_db(transaction=True)
def test_backups_carry_the_files_and_a_restore_brings_them_back(tmp_path, settings, make_user, api_world, actor_a):
    from django.core.management import call_command

    from tracker import roles
    from tracker.backup import BackupError, read_backup, restore

    roles.ensure_groups()
    focal = make_user("focal_backup", groups=[roles.FOCAL_POINT], actor=actor_a)
    update = services.record_progress(
        api_world.ethical, user=focal, actor=actor_a, status="in_progress", summary="With a file."
    )
    evidence = services.add_evidence(update, user=focal, file=upload("decree.pdf", PDF), is_public=True)
    backup = tmp_path / "backup.json"
    call_command("backup_data", str(backup), stdout=io.StringIO())
    manifest, objects, files = read_backup(backup)
    assert manifest["files"] == [{"name": evidence.file.name, "size": len(PDF), "sha256": evidence.sha256}]

    # A restore into an empty storage writes the file back, byte for byte.
    settings.MEDIA_ROOT = str(tmp_path / "restored-media")
    restore(manifest, objects, force=True, files=files)
    with default_storage.open(evidence.file.name, "rb") as restored:
        assert restored.read() == PDF

    # A file damaged inside the backup is refused before anything changes.
    document = json.loads(backup.read_text())
    document["files"][evidence.file.name] = ContentFile(b"x").read().hex()
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps(document))
    with pytest.raises(BackupError, match="damaged|base64"):
        read_backup(damaged)


@pytest.mark.django_db(transaction=True)
def test_a_backup_refuses_to_leave_a_missing_file_behind(tmp_path, make_user, api_world, actor_a):
    from tracker import roles
    from tracker.backup import BackupError, write_backup

    roles.ensure_groups()
    focal = make_user("focal_missing", groups=[roles.FOCAL_POINT], actor=actor_a)
    update = services.record_progress(
        api_world.ethical, user=focal, actor=actor_a, status="in_progress", summary="With a file."
    )
    evidence = services.add_evidence(update, user=focal, file=upload("decree.pdf", PDF))
    default_storage.delete(evidence.file.name)
    with pytest.raises(BackupError, match="missing"):
        write_backup(tmp_path / "backup.json")
    assert not (tmp_path / "backup.json").exists()


def test_the_form_of_a_stored_file_never_links_to_the_storage(client, two_files, submitted_a, focal_a):
    public, _private = two_files
    client.force_login(focal_a)
    page = client.get(f"/admin/tracker/progressupdate/{submitted_a.pk}/change/").content.decode()
    assert "/media/" not in page
    assert public.get_absolute_url() in page  # the "Open" link, through the access check
    assert "View on site" not in page  # not public until approved
