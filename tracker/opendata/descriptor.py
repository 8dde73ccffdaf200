"""What describes the open-data package: the facts read from the database (`read_facts()`, one
query), the licence and the citation (settings), and three descriptions built from them:

- `package()`: the Frictionless Tabular Data Package descriptor (datapackage.json), with a Table
  Schema per resource, foreign keys by public key, and relative paths so that the zip validates
  offline and the online descriptor points at /data/<name>.csv;
- `schema_org()`: a schema.org `Dataset` for the pages' JSON-LD, so dataset search engines find it;
- `dcat()`: a DCAT-AP style `dcat:Dataset` in JSON-LD (/data/dcat.jsonld), for data catalogues.

All three are dictionaries ready for `json.dumps` (no lazy strings, dates as ISO 8601 strings) and
take the same facts and `Urls`, so they never disagree. Same data version, same bytes.
"""

import datetime
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.models import Actor, DataVersion, Forum, ProgressUpdate, Recommendation
from tracker.models.aggregates import KeptByVersion

from .tables import TABLES

NAME = "migration-dialogues-tracker"
KEYWORDS = [
    "migration",
    "international migration",
    "migration and development",
    "Global Forum on Migration and Development",
    "Global Compact for Migration",
    "recommendations",
    "implementation tracking",
]
# The document the first data set was built from (fixtures/01_reference.json, ../shared/seeds/).
SEED_DOCUMENT = "iom-2008-current-priorities-labour-migration"
SEED_TITLE = (
    "International Organization for Migration (IOM), Current Priorities in Intergovernmental Dialogues on "
    "Labour Migration, presentation, New York, 3 October 2008"
)
ZIP_NAME = "package.zip"
# The name a downloaded zip is saved under.
ZIP_DOWNLOAD_NAME = f"{NAME}-data.zip"
DESCRIPTOR_NAME = "datapackage.json"


@dataclass(frozen=True)
class Facts:
    """What the descriptions say about the data now: the data version (an int that grows with
    every committed change), when the data last changed (the latest change to a recommendation or
    approval of a public progress update, an aware datetime, None for no data), the dates the data
    covers (first forum to latest forum or public report, dates or None), the publisher (the
    secretariat's actor, `name` and `slug`, or None) and, when asked for, each table's row count."""

    version: int
    modified: datetime.datetime | None
    first_date: datetime.date | None
    last_date: datetime.date | None
    publisher_name: str | None
    publisher_slug: str | None
    counts: dict | None = None


def _scalar(queryset, expression, output_field):
    """A scalar subquery: `expression` (an SQL function such as MAX over a column) over `queryset`,
    written as a plain function so that Django adds no GROUP BY."""
    selected = queryset.order_by().annotate(value=expression).values("value")
    return models.Subquery(selected, output_field=output_field)


def _max(queryset, column, output_field):
    return _scalar(queryset, models.Func(column, function="MAX", output_field=output_field), output_field)


def _count(queryset):
    return _scalar(queryset, models.Func(models.F("pk"), function="COUNT"), models.IntegerField())


def _publishers():
    """The actors that may be the publisher: the one TRACKER_SECRETARIAT_ACTOR names, else those of
    kind secretariat (as `tracker.services.secretariat_actor()` chooses the secretariat's actor)."""
    slug = getattr(settings, "TRACKER_SECRETARIAT_ACTOR", "")
    return Actor.objects.filter(slug=slug) if slug else Actor.objects.filter(kind=Actor.Kind.SECRETARIAT)


def read_facts(counts=False):
    """The `Facts` of the data, in one query (scalar subqueries on the data version's row; one
    more, to create that row, if a flush removed it). With `counts`, each table's row count too:
    {table name: int}, counting what the table lists."""
    public = ProgressUpdate.objects.public()
    date, moment = models.DateField(), models.DateTimeField()
    publishers = _publishers().order_by("pk")
    annotations = {
        "recommendation_changed": _max(Recommendation.objects.all(), "updated_at", moment),
        "update_recorded": _max(public, "recorded_at", moment),
        "update_reviewed": _max(public, "reviewed_at", moment),
        "first_forum": _scalar(Forum.objects.all(), models.Func("start_date", function="MIN", output_field=date), date),
        "last_forum": _max(Forum.objects.all(), Coalesce("end_date", "start_date"), date),
        "last_report": _max(public, "reported_on", date),
        "publisher_name": models.Subquery(publishers.values("name")[:1]),
        "publisher_slug": models.Subquery(publishers.values("slug")[:1]),
        "publishers": _count(publishers),
    }
    if counts:
        annotations.update({f"rows_{table.name}": _count(table.base()) for table in TABLES})
    query = DataVersion.objects.filter(pk=1).values("value").annotate(**annotations)
    row = query.first()
    if row is None:
        DataVersion.current()
        row = query.first()
    moments = [row[name] for name in ("recommendation_changed", "update_recorded", "update_reviewed") if row[name]]
    ends = [row[name] for name in ("last_forum", "last_report") if row[name]]
    single = row["publishers"] == 1
    return Facts(
        version=row["value"],
        modified=max(moments) if moments else None,
        first_date=row["first_forum"],
        last_date=max(ends) if ends else None,
        publisher_name=row["publisher_name"] if single else None,
        publisher_slug=row["publisher_slug"] if single else None,
        counts={table.name: row[f"rows_{table.name}"] for table in TABLES} if counts else None,
    )


class KeptFacts:
    """`read_facts()` kept in this process under a key that changes with every public change (the
    dashboard's: the "reference" cache scope's version and each forum's, `tracker.breakdowns.
    Dashboard.data_key`), so the dashboard's schema.org `Dataset` costs no query while nothing public
    changed. Like a page the response cache keeps, the facts may then carry a data version older by
    changes nobody public sees (a submission), never older public data. One entry per process (the
    latest); kept and reused outside transactions only."""

    def __init__(self):
        self.lock = threading.Lock()
        self.kept = None  # (full key, Facts)

    def get(self, key, using="default"):
        """The `Facts` (without counts): kept ones when `key` (hashable; None: read) is the one
        they were kept under, else `read_facts()`'s (one query)."""
        usable, database = KeptByVersion.usable(using)
        if key is None or not usable:
            return read_facts()
        full = (database, getattr(settings, "TRACKER_SECRETARIAT_ACTOR", ""), key)
        with self.lock:
            kept = self.kept
        if kept is not None and kept[0] == full:
            return kept[1]
        facts = read_facts()
        with self.lock:
            self.kept = (full, facts)
        return facts


kept_facts = KeptFacts()


def iso(value):
    """A date as YYYY-MM-DD, an aware datetime in UTC with a Z, None as None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def license_descriptor():
    """The data licence from the settings: {"name": SPDX id, "path": URL, "title": name}, empty
    values left out (TRACKER_DATA_LICENSE_ID, _URL, _TITLE; CC-BY-4.0 by default)."""
    values = {
        "name": settings.TRACKER_DATA_LICENSE_ID,
        "path": settings.TRACKER_DATA_LICENSE_URL,
        "title": settings.TRACKER_DATA_LICENSE_TITLE,
    }
    return {name: value for name, value in values.items() if value}


def title():
    return _("Migration Dialogues Tracker: recommendations of intergovernmental migration dialogues and their status")


def summary():
    return _(
        "The recommendations, outcomes and key messages of intergovernmental dialogues on migration (the Global "
        "Commission on International Migration, the UN High-Level Dialogue, the Global Forum on Migration and "
        "Development, workshops and expert meetings), worded as in their source documents, with the processes, "
        "forums, roundtables, themes, responsible actors and framework objectives they belong to, and the dated, "
        "approved progress updates that give each one's implementation status."
    )


def publisher(facts):
    """The publisher's name: the secretariat's actor, else the site's name."""
    return facts.publisher_name or _("Migration Dialogues Tracker")


def citation(facts, urls):
    """How to cite the data: settings.TRACKER_DATA_CITATION with {date}, {version} and {url}
    replaced, or by default "<publisher> (<year>). <title> [Data set], version of <date>. <url>"."""
    homepage = urls.absolute(reverse("tracker:data"))
    date = iso(facts.modified.date()) if facts.modified else None
    template = settings.TRACKER_DATA_CITATION
    if template:
        return (
            template.replace("{date}", date or "").replace("{version}", str(facts.version)).replace("{url}", homepage)
        )
    year = f" ({facts.modified.year})" if facts.modified else ""
    version = _(", version of %(date)s") % {"date": date} if date else ""
    return f"{publisher(facts)}{year}. {title()} [{_('Data set')}]{version}. {homepage}"


def _foreign_key(table, field, resource, key):
    # A reference to the table itself names no resource (Table Schema: "" is the same resource).
    return {"fields": [field], "reference": {"resource": "" if resource == table.name else resource, "fields": [key]}}


def resource(table):
    """The Tabular Data Resource descriptor of a table: its relative path and its Table Schema."""
    schema = {"fields": [dict(field) for field in table.fields], "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [_foreign_key(table, *foreign_key) for foreign_key in table.foreign_keys]
    return {
        "name": table.name,
        "path": table.path,
        "profile": "tabular-data-resource",
        "title": str(table.title),
        "description": str(table.description),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def package(facts, urls):
    """The datapackage.json descriptor (a dict): Frictionless Tabular Data Package, one resource per
    table of `tracker.opendata.tables.TABLES`, in that order."""
    homepage = urls.absolute(reverse("tracker:data"))
    cite = citation(facts, urls)
    descriptor = {
        "profile": "tabular-data-package",
        "name": NAME,
        "id": homepage,
        "title": title(),
        "description": f"{summary()}\n\n{_('Cite as:')} {cite}",
        "version": str(facts.version),
        "homepage": homepage,
        "keywords": KEYWORDS,
        "licenses": [license_descriptor()],
        "citation": cite,
        "sources": [{"title": SEED_TITLE, "path": urls("api-v1:document-detail", SEED_DOCUMENT)}],
        "contributors": [_contributor(facts, urls)],
        "resources": [resource(table) for table in TABLES],
    }
    if facts.modified:
        descriptor["created"] = iso(facts.modified)
    return descriptor


def _contributor(facts, urls):
    contributor = {"title": publisher(facts), "role": "publisher"}
    if facts.publisher_slug:
        contributor["path"] = urls("tracker:actor-detail", facts.publisher_slug)
    return contributor


def distributions(urls):
    """(title, URL, media type, description) of each file of the package: the zip, the descriptor
    and each table's CSV."""
    data = urls.absolute(reverse("tracker:data"))
    files = [
        (_("The whole package (zip)"), data + ZIP_NAME, "application/zip", _("datapackage.json and every CSV file.")),
        (
            _("Data package descriptor"),
            data + DESCRIPTOR_NAME,
            "application/json",
            _("Frictionless Tabular Data Package: the tables, their schemas, the licence."),
        ),
    ]
    files += [(f"{table.name}.csv", data + table.path, "text/csv", str(table.description)) for table in TABLES]
    return files


def temporal(facts):
    """ "first/last" (ISO 8601 interval of dates), or None without dated data."""
    if facts.first_date and facts.last_date:
        return f"{iso(facts.first_date)}/{iso(max(facts.first_date, facts.last_date))}"
    return None


def schema_org(facts, urls):
    """A schema.org `Dataset` (JSON-LD) of the package, for the pages' <script type="application/ld+json">."""
    homepage = urls.absolute(reverse("tracker:data"))
    organisation = {"@type": "Organization", "name": publisher(facts)}
    if facts.publisher_slug:
        organisation["url"] = urls("tracker:actor-detail", facts.publisher_slug)
    dataset = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": homepage,
        "name": title(),
        "description": summary(),
        "url": homepage,
        "identifier": homepage,
        "version": str(facts.version),
        "keywords": KEYWORDS,
        "license": settings.TRACKER_DATA_LICENSE_URL or settings.TRACKER_DATA_LICENSE_ID,
        "isAccessibleForFree": True,
        "creator": organisation,
        "publisher": organisation,
        "creditText": citation(facts, urls),
        "distribution": [
            {"@type": "DataDownload", "name": name, "description": about, "encodingFormat": media, "contentUrl": link}
            for name, link, media, about in distributions(urls)
        ],
    }
    if facts.modified:
        dataset["dateModified"] = iso(facts.modified)
    if temporal(facts):
        dataset["temporalCoverage"] = temporal(facts)
    return dataset


DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"


def dcat(facts, urls):
    """A DCAT-AP style description (JSON-LD): one dcat:Dataset with a dcat:Distribution per file."""
    homepage = urls.absolute(reverse("tracker:data"))
    licence = {"@id": settings.TRACKER_DATA_LICENSE_URL} if settings.TRACKER_DATA_LICENSE_URL else None
    agent = {"@type": "foaf:Agent", "foaf:name": publisher(facts)}
    if facts.publisher_slug:
        agent["@id"] = urls("tracker:actor-detail", facts.publisher_slug)
    dataset = {
        "@context": DCAT_CONTEXT,
        "@id": homepage,
        "@type": "dcat:Dataset",
        "dct:identifier": homepage,
        "dct:title": title(),
        "dct:description": summary(),
        "dct:publisher": agent,
        "dct:creator": agent,
        "dct:bibliographicCitation": citation(facts, urls),
        "dcat:keyword": KEYWORDS,
        "dcat:landingPage": {"@id": homepage},
        "dcat:version": str(facts.version),
        "dct:source": {"@id": urls("api-v1:document-detail", SEED_DOCUMENT), "dct:title": SEED_TITLE},
        "dcat:distribution": [
            {
                "@id": link,
                "@type": "dcat:Distribution",
                "dct:title": name,
                "dct:description": about,
                "dcat:accessURL": {"@id": homepage},
                "dcat:downloadURL": {"@id": link},
                "dcat:mediaType": {"@id": MEDIA_TYPES + media},
                **({"dct:license": licence} if licence else {}),
            }
            for name, link, media, about in distributions(urls)
        ],
    }
    if licence:
        dataset["dct:license"] = licence
    if facts.modified:
        dataset["dct:modified"] = {"@value": iso(facts.modified), "@type": "xsd:dateTime"}
    if facts.first_date and facts.last_date:
        dataset["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": iso(facts.first_date), "@type": "xsd:date"},
            "dcat:endDate": {"@value": iso(max(facts.first_date, facts.last_date)), "@type": "xsd:date"},
        }
    return dataset
