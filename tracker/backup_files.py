"""The stored files a backup carries beside its rows: the evidence files of progress updates.

In the backup document (tracker.backup) they are `"files": {<storage name>: <base64 content>}`,
and the manifest lists each as `{"name", "size", "sha256"}`, sorted by name. The chain of proof:
the table hash of `tracker_evidencefile` covers each row's `sha256`; each listed file must have
that digest; a restore writes the files through Django's storage API only after the rows matched,
and reads each back to check it, so a damaged or missing file rolls the whole restore back.
"""

import base64
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tracker.models import EvidenceFile


class FileProblem(Exception):
    """A file of a backup that is missing, damaged or cannot be written; the message names it."""


def _digest(storage, name):
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def collect(using):
    """(listing, contents) of every evidence file the database names: `listing` the manifest's
    list of {"name", "size", "sha256"}, `contents` {name: base64 text}. Read from the default
    storage; a file missing there or whose content no longer has the recorded digest raises
    FileProblem (a backup must not silently lack evidence)."""
    listing, contents = [], {}
    rows = EvidenceFile.objects.using(using).order_by("file").values_list("file", "sha256", "size")
    for name, sha256, size in rows:
        try:
            with default_storage.open(name, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise FileProblem(f"Evidence file {name} is missing from the storage: {error}") from error
        if hashlib.sha256(data).hexdigest() != sha256:
            raise FileProblem(f"Evidence file {name} no longer has the content recorded for it (SHA-256 differs).")
        listing.append({"name": name, "size": size, "sha256": sha256})
        contents[name] = base64.b64encode(data).decode("ascii")
    return listing, contents


def check(listing, contents):
    """Raise FileProblem unless every listed file is in `contents` with its recorded digest and
    size, and nothing else is."""
    if not isinstance(listing, list) or not isinstance(contents, dict):
        raise FileProblem("The backup's list of files is malformed.")
    if {entry.get("name") for entry in listing} != set(contents):
        raise FileProblem("The backup's files do not match the list in its manifest.")
    for entry in listing:
        try:
            data = base64.b64decode(contents[entry["name"]], validate=True)
        except (ValueError, TypeError) as error:
            raise FileProblem(f"File {entry['name']} in the backup is not valid base64: {error}") from error
        if len(data) != entry.get("size") or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise FileProblem(f"File {entry['name']} in the backup is damaged (its size or SHA-256 differs).")


def put(listing, contents, using):
    """Write the backup's files to the default storage under their recorded names and check the
    restored rows against them. Returns the names written (a caller undoing a failed restore
    deletes them). A file already there with the same content is kept; one with other content
    is refused, never overwritten. Raises FileProblem."""
    written = []
    try:
        for entry in listing:
            name = entry["name"]
            if default_storage.exists(name):
                if _digest(default_storage, name) == entry["sha256"]:
                    continue
                raise FileProblem(
                    f"The storage already holds a different file named {name}; move it away, then restore again."
                )
            saved = default_storage.save(name, ContentFile(base64.b64decode(contents[name])))
            written.append(saved)
            if saved != name or _digest(default_storage, saved) != entry["sha256"]:
                raise FileProblem(f"Could not write evidence file {name} back to the storage unchanged.")
        expected = {entry["name"]: entry["sha256"] for entry in listing}
        for name, sha256 in EvidenceFile.objects.using(using).values_list("file", "sha256"):
            if expected.get(name) != sha256:
                raise FileProblem(f"Evidence file {name} is named by the data but not carried by the backup.")
    except OSError as error:
        remove(written)
        raise FileProblem(f"Could not write evidence files: {error}") from error
    except FileProblem:
        remove(written)
        raise
    return written


def remove(names):
    """Delete files written by `put` (undoing a restore that failed afterwards)."""
    for name in names:
        default_storage.delete(name)
