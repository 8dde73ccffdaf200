"""Backups that restore to identical content, on SQLite and PostgreSQL alike (and from one to the other).

A backup is one JSON file, gzipped when its name ends in `.gz`:

    {"manifest": {...}, "objects": [<Django serialized objects, the dumpdata format>]}

The objects are every row of every table that holds data (see `backed_up_models`), with their
primary keys, so links, URLs and history survive a restore unchanged. Content types and
permissions are the exception: each database numbers them itself when it is migrated, so they
are not backed up and everything that points at them does so by natural key
(`["tracker", "recommendation"]`).

The manifest records, among other things, the canonical hash of every table (`table_hashes`),
taken in the same transaction as the data. `restore` loads the objects into a freshly migrated
database, hashes it again and rolls everything back unless every table matches, so a restore
either reproduces the backed-up content exactly or changes nothing.

The canonical hash of a table does not depend on the database engine: rows are sorted by primary
key in Python (not by the database's collation), values normalised (datetimes to UTC ISO 8601 with
microseconds, decimals without trailing zeros, booleans and NULLs as JSON, keys of content types
and permissions as natural keys), and each row written as one line of canonical JSON after a
header line naming the columns. Tables of many-to-many links (`tracker_recommendation_themes`)
are hashed without their own id column, which only numbers the links, sorted by their contents.
"""

import contextlib
import datetime
import decimal
import gzip
import hashlib
import json
import os
import tempfile
import uuid
from pathlib import Path

import django
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from tracker import backup_files
from tracker.models import aggregates
from tracker.models.sync import sync_triggers_paused

FORMAT = "migration-dialogues-tracker-backup"
FORMAT_VERSION = 2  # 2 added the evidence files ("files"); version 1 backups (no files) still restore
READABLE_VERSIONS = (1, 2)

# Filled by each database itself when it is migrated, with numbers of its own: referred to by
# natural key, never backed up.
RENUMBERED = frozenset({"contenttypes.contenttype", "auth.permission"})
# Login sessions are not data: they expire, and users simply log in again.
# The maintained aggregates are counted from the data, not data: a restore rebuilds them. The
# cache scopes are versions of cache keys, as the data version is.
NOT_BACKED_UP = RENUMBERED | {
    "sessions.session",
    "tracker.dataversion",
    "tracker.cachescope",
    "tracker.statuscount",
    "tracker.actorreportcount",
}
# What a freshly migrated database already holds (the staff groups, tracker migration 0002):
# their presence does not make a database "hold data", and a restore replaces them.
SEEDED_BY_MIGRATIONS = frozenset({"auth.group", "auth.group_permissions"})


class BackupError(Exception):
    """A backup that cannot be written, read or restored; the message says why and what to do."""


def backed_up_models():
    """Every model whose rows are data, in a fixed order: all installed apps' tables except
    content types, permissions and sessions (see above)."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in NOT_BACKED_UP
    ]
    return sorted(models, key=lambda model: model._meta.label_lower)


def hashed_models():
    """The backed-up models and the tables of their many-to-many links, ordered by table name."""
    models = list(backed_up_models())
    for model in backed_up_models():
        for field in model._meta.local_many_to_many:
            if field.remote_field.through._meta.auto_created:
                models.append(field.remote_field.through)
    return sorted(models, key=lambda model: model._meta.db_table)


def _natural_keys(using):
    """{model: {pk: natural key as a list}} for the renumbered models, read in two queries."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return {
        ContentType: {ct.pk: list(ct.natural_key()) for ct in ContentType.objects.using(using).order_by()},
        Permission: {
            perm.pk: list(perm.natural_key())
            for perm in Permission.objects.using(using).select_related("content_type").order_by()
        },
    }


def _canonical(value):
    """A value as the same JSON on every database engine."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.timedelta):
        return value // datetime.timedelta(microseconds=1)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value  # None, bool, int, float, str and JSON values are JSON already


def _line(values):
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n"


def _table_hash(model, using, natural_keys):
    opts = model._meta
    link_table = bool(opts.auto_created)
    fields = [field for field in opts.local_concrete_fields if not (link_table and field.primary_key)]
    renumbered = [natural_keys.get(field.related_model) for field in fields]
    rows = []
    query = model._base_manager.using(using).order_by().values_list(*(field.attname for field in fields))
    for values in query.iterator(chunk_size=2000):
        rows.append(
            [
                _canonical(value) if keys is None or value is None else keys.get(value, ["missing", value])
                for value, keys in zip(values, renumbered, strict=True)
            ]
        )
    if link_table:
        rows.sort()
    else:
        pk_index = fields.index(opts.pk)
        rows.sort(key=lambda row: row[pk_index])
    digest = hashlib.sha256(_line([field.column for field in fields]))
    for row in rows:
        digest.update(_line(row))
    return {"rows": len(rows), "sha256": digest.hexdigest()}


def table_hashes(using=DEFAULT_DB_ALIAS):
    """{"tables": {table: {"rows": n, "sha256": hex}}, "total": hex} of the database's content.

    The total is the SHA-256 of the lines "<table> <sha256>" in table order. Run it inside a
    `snapshot` for a consistent view of a database in use.
    """
    natural_keys = _natural_keys(using)
    tables = {model._meta.db_table: _table_hash(model, using, natural_keys) for model in hashed_models()}
    total = hashlib.sha256("".join(f"{table} {tables[table]['sha256']}\n" for table in sorted(tables)).encode())
    return {"tables": tables, "total": total.hexdigest()}


def compare_hashes(expected, actual):
    """Human-readable differences between two `table_hashes` results (empty when identical)."""
    problems = []
    for table in sorted(set(expected["tables"]) | set(actual["tables"])):
        want, got = expected["tables"].get(table), actual["tables"].get(table)
        if want is None:
            problems.append(f"{table}: not in the backup ({got['rows']} rows here)")
        elif got is None:
            problems.append(f"{table}: in the backup ({want['rows']} rows) but not in this database")
        elif want != got:
            problems.append(
                f"{table}: backup {want['rows']} rows, sha256 {want['sha256'][:16]}…; "
                f"here {got['rows']} rows, sha256 {got['sha256'][:16]}…"
            )
    if not problems and expected["total"] != actual["total"]:
        problems.append(f"total: backup {expected['total']}, here {actual['total']}")
    return problems


class _Serializer(PythonSerializer):
    """Django's serializer with keys kept as they are, except those pointing at content types and
    permissions, which become natural keys (each database numbers those itself)."""

    def __init__(self, natural_keys):
        super().__init__()
        self.natural_keys = natural_keys

    def handle_fk_field(self, obj, field):
        keys = self.natural_keys.get(field.related_model)
        if keys is None:
            return super().handle_fk_field(obj, field)
        value = field.value_from_object(obj)
        self._current[field.name] = None if value is None else keys[value]

    def handle_m2m_field(self, obj, field):
        if not field.remote_field.through._meta.auto_created:
            return  # saved as rows of its own model
        keys = self.natural_keys.get(field.related_model)
        pks = sorted(related.pk for related in getattr(obj, field.name).all())  # prefetched
        self._current[field.name] = [keys[pk] for pk in pks] if keys else pks


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes and times to milliseconds (as ECMAScript does), so plain
    dumpdata output does not restore exactly; this one keeps microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def _dump(value, **kwargs):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), **kwargs)


def _serialized_objects(using, natural_keys):
    serializer = _Serializer(natural_keys)
    for model in backed_up_models():
        links = [f.name for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created]
        queryset = model._base_manager.using(using).order_by(model._meta.pk.name).prefetch_related(*links)
        yield from serializer.serialize(queryset.iterator(chunk_size=2000))


def applied_migrations(using=DEFAULT_DB_ALIAS):
    """Sorted "app.migration" names recorded as applied in the database."""
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


@contextlib.contextmanager
def snapshot(using=DEFAULT_DB_ALIAS):
    """A transaction that sees one consistent state of every table.

    On PostgreSQL a read-only REPEATABLE READ transaction (writers go on undisturbed); it must be
    asked for before the transaction's first query, so inside a transaction that already ran
    queries (a test's) it is that transaction. On SQLite the transaction takes the write lock
    (settings use IMMEDIATE transactions), so writers wait for a moment rather than slip in.
    """
    connection = connections[using]
    fresh = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def write_backup(path, using=DEFAULT_DB_ALIAS):
    """Write a backup of the whole database to `path` (gzipped if it ends in .gz); return its manifest.

    Data and hashes are read in one `snapshot`, so they agree with each other. The file is
    written next to its final name and renamed into place, readable by its owner only (it holds
    password hashes and API token digests).
    """
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new name (backups are never overwritten).")
    connection = connections[using]
    with snapshot(using):
        natural_keys = _natural_keys(using)
        objects = [_dump(obj, cls=_Encoder) for obj in _serialized_objects(using, natural_keys)]
        hashes = table_hashes(using)
        migrations = applied_migrations(using)
        try:
            file_list, file_contents = backup_files.collect(using)
        except backup_files.FileProblem as error:
            raise BackupError(f"{error} Nothing was written.") from error
    objects_text = "[" + ",".join(objects) + "]"
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "database_vendor": connection.vendor,
        "django_version": django.get_version(),
        "migrations": migrations,
        "object_count": len(objects),
        "objects_sha256": hashlib.sha256(objects_text.encode()).hexdigest(),
        "hashes": hashes,
        "files": file_list,
    }
    text = (
        '{"manifest": '
        + json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1)
        + ',\n"files": '
        + json.dumps(file_contents, sort_keys=True)
        + ',\n"objects": [\n'
        + ",\n".join(objects)
        + "\n]}\n"
    )
    data = text.encode()
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    partial = path.with_name(f".{path.name}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Could not write {path}: {error}") from error
    return manifest


def read_backup(path):
    """(manifest, objects, files) of a backup file, after checking its format, its checksum and
    the digest of every file it carries (`files`: {storage name: base64 content})."""
    path = Path(path)
    try:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        document = json.loads(data.decode())
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as error:
        raise BackupError(f"Could not read {path} as a backup: {error}") from error
    manifest = document.get("manifest") if isinstance(document, dict) else None
    objects = document.get("objects") if isinstance(document, dict) else None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(objects, list):
        raise BackupError(f"{path} is not a backup written by backup_data.")
    if manifest.get("format_version") not in READABLE_VERSIONS:
        raise BackupError(
            f"{path} is in backup format version {manifest.get('format_version')}; "
            f"this version of the tracker reads version {FORMAT_VERSION}."
        )
    if hashlib.sha256(_dump(objects).encode()).hexdigest() != manifest.get("objects_sha256"):
        raise BackupError(
            f"{path} is damaged or was edited: its data does not match the checksum in its manifest. "
            "Nothing was restored; use another backup."
        )
    files = document.get("files", {})
    manifest.setdefault("files", [])
    try:
        backup_files.check(manifest["files"], files)
    except backup_files.FileProblem as error:
        raise BackupError(f"{path}: {error} Nothing was restored; use another backup.") from error
    return manifest, objects, files


def tables_holding_data(using=DEFAULT_DB_ALIAS):
    """Tables with rows, other than what migrations create in every database (the staff groups)."""
    return [
        model._meta.db_table
        for model in hashed_models()
        if model._meta.label_lower not in SEEDED_BY_MIGRATIONS and model._base_manager.using(using).exists()
    ]


def _check_migrations(manifest, using):
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError("This database is not fully migrated: run `manage.py migrate` first, then restore.")
    here = set(applied_migrations(using))
    there = set(manifest.get("migrations", []))
    if here != there:
        details = []
        if there - here:
            details.append("applied where the backup was made but not here: " + ", ".join(sorted(there - here)))
        if here - there:
            details.append("applied here but not where the backup was made: " + ", ".join(sorted(here - there)))
        raise BackupError(
            "The backup was made with a different database schema ("
            + "; ".join(details)
            + "). Restore it with the version of the tracker that made it, then upgrade with `manage.py migrate`."
        )


def restore(manifest, objects, using=DEFAULT_DB_ALIAS, force=False, files=None):
    """Replace the database's content with a backup's and verify it table by table.

    The database must be migrated to the backup's schema. One that already holds data is refused
    unless `force` (its data is then replaced, not merged). Everything happens in one transaction:
    if loading fails or any table's hash differs from the manifest, nothing is changed. The
    evidence files (`files`, from `read_backup`) are written to the storage last and checked; a
    problem there undoes the files written and rolls the data back.
    Returns (hashes after the restore, tables whose data was replaced).
    """
    _check_migrations(manifest, using)
    connection = connections[using]
    # The backup carries each row's change key and time (tracker.models.sync) and the deletions
    # recorded: loaded as they are, not stamped again, so the restore is identical.
    with transaction.atomic(using=using), sync_triggers_paused(using):
        occupied = tables_holding_data(using)
        if occupied and not force:
            raise BackupError(
                "This database already holds data (" + ", ".join(occupied) + "). Restore into a freshly "
                "migrated database, or pass --force to replace everything in it with the backup."
            )
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred constraint checks still pending from rows
            # written earlier in the same transaction: run them now (SET CONSTRAINTS ALL IMMEDIATE,
            # then back to DEFERRED for the load).
            connection.check_constraints()
        tables = [model._meta.db_table for model in hashed_models()]
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
        if objects:
            with tempfile.TemporaryDirectory() as directory:
                fixture = Path(directory) / "backup.json"
                fixture.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
                call_command("loaddata", str(fixture), database=using, verbosity=0)
        # The flush (TRUNCATE on PostgreSQL) fires no row trigger: count today's statuses again.
        aggregates.rebuild(using)
        hashes = table_hashes(using)
        problems = compare_hashes(manifest["hashes"], hashes)
        if problems:
            raise BackupError(
                "The restored content differs from the backup, so the restore was rolled back and the "
                "database is unchanged:\n  " + "\n  ".join(problems)
            )
        try:
            backup_files.put(manifest.get("files", []), files or {}, using)
        except backup_files.FileProblem as error:
            raise BackupError(f"{error} The restore was rolled back and the database is unchanged.") from error
    return hashes, occupied
