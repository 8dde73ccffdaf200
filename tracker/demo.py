"""Synthetic demo data at scale: processes, forums, roundtables, actors, themes, objective
mappings, recommendations and approved progress updates, deterministic for a seed.

Used by `manage.py generate_demo_data` and the benchmark (`bench/run`). Everything it creates is
recognisable: slugs start with `demo-`, recommendation codes with `DEMO-`, so it can be found,
replaced and never mistaken for real data.

Speed: a million progress updates cannot go through `Model.save()` or even `bulk_create()` in
three minutes (Django builds one object and one parameter list per row, and SQLite allows few
parameters per statement). The large tables are written with the driver's own bulk path instead:
`executemany` on SQLite, `COPY` on PostgreSQL, with primary keys chosen here so no row has to be
read back. Column lists come from the models' `_meta`, so a new model field with a default is
filled in rather than silently missed.
"""

import datetime
import random
import sys
import time
from bisect import bisect_right

from django.core.management.color import no_style
from django.db import connection, models, transaction

from tracker.models import (
    Actor,
    Document,
    FollowUpAction,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    Roundtable,
    Status,
    Theme,
)
from tracker.text import search_form

CODE_PREFIX = "DEMO-"
SLUG_PREFIX = "demo-"
# Everything happens before this date, so a seed gives the same rows whatever day it runs.
END_DATE = datetime.date(2025, 6, 30)
FIRST_YEAR, LAST_YEAR = 2003, 2024
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class NonDemoData(Exception):
    """The database holds recommendations that this generator did not make."""


# --- Vocabulary ---------------------------------------------------------------------------------

PROCESSES = [
    ("gcim", "GCIM", "Synthetic commission on international migration", Process.Kind.COMMISSION),
    ("hld", "HLD", "Synthetic high-level dialogue on migration and development", Process.Kind.HIGH_LEVEL_DIALOGUE),
    ("gfmd", "GFMD", "Synthetic global forum on migration and development", Process.Kind.GLOBAL_FORUM),
    ("gats", "GATS-4", "Synthetic trade framework on the movement of natural persons", Process.Kind.TRADE_FRAMEWORK),
    ("circular", "CMW", "Synthetic workshops on circular migration", Process.Kind.WORKSHOP),
    ("expert", "EGM", "Synthetic expert group meetings", Process.Kind.EXPERT_MEETING),
    ("budapest", "BP", "Synthetic Budapest-style regional process", Process.Kind.REGIONAL_CONSULTATIVE_PROCESS),
    ("colombo", "CP", "Synthetic Colombo-style regional process", Process.Kind.REGIONAL_CONSULTATIVE_PROCESS),
    ("puebla", "RCM", "Synthetic Puebla-style regional process", Process.Kind.REGIONAL_CONSULTATIVE_PROCESS),
]

CITIES = [
    ("Brussels", "Belgium"),
    ("Manila", "Philippines"),
    ("Athens", "Greece"),
    ("Puerto Vallarta", "Mexico"),
    ("Geneva", "Switzerland"),
    ("New York", "United States"),
    ("Port Louis", "Mauritius"),
    ("Dhaka", "Bangladesh"),
    ("Stockholm", "Sweden"),
    ("Istanbul", "Türkiye"),
    ("Marrakesh", "Morocco"),
    ("Quito", "Ecuador"),
    ("Berlin", "Germany"),
    ("Abu Dhabi", "United Arab Emirates"),
    ("Colombo", "Sri Lanka"),
    ("Budapest", "Hungary"),
    ("Dakar", "Senegal"),
    ("Bangkok", "Thailand"),
]

GOVERNMENTS = [
    ("AR", "Argentina"), ("AU", "Australia"), ("BD", "Bangladesh"), ("BE", "Belgium"), ("BR", "Brazil"),
    ("CA", "Canada"), ("CN", "China"), ("CO", "Colombia"), ("DE", "Germany"), ("EC", "Ecuador"),
    ("EG", "Egypt"), ("ES", "Spain"), ("ET", "Ethiopia"), ("FR", "France"), ("GB", "United Kingdom"),
    ("GH", "Ghana"), ("GR", "Greece"), ("GT", "Guatemala"), ("ID", "Indonesia"), ("IN", "India"),
    ("IT", "Italy"), ("JM", "Jamaica"), ("JP", "Japan"), ("KE", "Kenya"), ("KR", "Republic of Korea"),
    ("LK", "Sri Lanka"), ("MA", "Morocco"), ("MD", "Republic of Moldova"), ("ML", "Mali"), ("MU", "Mauritius"),
    ("MX", "Mexico"), ("NG", "Nigeria"), ("NL", "Netherlands"), ("NP", "Nepal"), ("PH", "Philippines"),
    ("PK", "Pakistan"), ("PL", "Poland"), ("PT", "Portugal"), ("SE", "Sweden"), ("SN", "Senegal"),
    ("SV", "El Salvador"), ("TH", "Thailand"), ("TN", "Tunisia"), ("TR", "Türkiye"), ("AE", "United Arab Emirates"),
    ("UG", "Uganda"), ("US", "United States"), ("VN", "Viet Nam"), ("ZA", "South Africa"), ("ZW", "Zimbabwe"),
]  # fmt: skip

ORGANISATIONS = [
    ("iom", "International Organization for Migration", Actor.Kind.INTERGOVERNMENTAL),
    ("ilo", "International Labour Organization", Actor.Kind.INTERGOVERNMENTAL),
    ("unhcr", "UN Refugee Agency", Actor.Kind.INTERGOVERNMENTAL),
    ("undp", "UN Development Programme", Actor.Kind.INTERGOVERNMENTAL),
    ("unfpa", "UN Population Fund", Actor.Kind.INTERGOVERNMENTAL),
    ("worldbank", "World Bank", Actor.Kind.INTERGOVERNMENTAL),
    ("oecd", "OECD", Actor.Kind.INTERGOVERNMENTAL),
    ("ec", "European Commission", Actor.Kind.INTERGOVERNMENTAL),
    ("secretariat", "Forum secretariat", Actor.Kind.SECRETARIAT),
    ("civil-society-days", "Civil society days coordinating office", Actor.Kind.CIVIL_SOCIETY),
    ("migrant-rights-network", "Migrant rights network", Actor.Kind.CIVIL_SOCIETY),
    ("diaspora-alliance", "Diaspora development alliance", Actor.Kind.CIVIL_SOCIETY),
    ("employers-federation", "International employers' federation", Actor.Kind.OTHER),
]

THEMES = [
    "Labour mobility",
    "Remittances",
    "Diaspora",
    "Human rights",
    "Gender",
    "Trafficking",
    "Circular migration",
    "Data and research",
    "Policy coherence",
    "Recruitment",
]

GCM_OBJECTIVES = [
    "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies",
    "Minimize the adverse drivers and structural factors that compel people to leave their country of origin",
    "Provide accurate and timely information at all stages of migration",
    "Ensure that all migrants have proof of legal identity and adequate documentation",
    "Enhance availability and flexibility of pathways for regular migration",
    "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work",
    "Address and reduce vulnerabilities in migration",
    "Save lives and establish coordinated international efforts on missing migrants",
    "Strengthen the transnational response to smuggling of migrants",
    "Prevent, combat and eradicate trafficking in persons in the context of international migration",
    "Manage borders in an integrated, secure and coordinated manner",
    "Strengthen certainty and predictability in migration procedures",
    "Use migration detention only as a measure of last resort and work towards alternatives",
    "Enhance consular protection, assistance and cooperation throughout the migration cycle",
    "Provide access to basic services for migrants",
    "Empower migrants and societies to realize full inclusion and social cohesion",
    "Eliminate all forms of discrimination and promote evidence-based public discourse",
    "Invest in skills development and facilitate mutual recognition of skills",
    "Create conditions for migrants and diasporas to fully contribute to sustainable development",
    "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion",
    "Cooperate in facilitating safe and dignified return and readmission, and sustainable reintegration",
    "Establish mechanisms for the portability of social security entitlements and earned benefits",
    "Strengthen international cooperation and global partnerships for safe, orderly and regular migration",
]
SDG_TARGETS = [
    ("10.7", "Facilitate orderly, safe, regular and responsible migration and mobility of people"),
    ("10.c", "Reduce to less than 3 per cent the transaction costs of migrant remittances"),
    ("8.8", "Protect labour rights and promote safe working environments for all workers, including migrants"),
    ("5.2", "Eliminate all forms of violence against all women and girls, including trafficking"),
    ("16.2", "End abuse, exploitation, trafficking and all forms of violence against children"),
    ("17.18", "Increase the availability of data disaggregated by migratory status"),
]

VERBS = [
    "Develop",
    "Establish",
    "Strengthen",
    "Promote",
    "Support",
    "Review",
    "Expand",
    "Facilitate",
    "Harmonise",
    "Improve",
    "Pilot",
    "Evaluate",
]
OBJECTS = [
    "codes of ethical recruitment",
    "migrant resource centres",
    "bilateral labour agreements",
    "the portability of social security benefits",
    "lower-cost channels for remittance transfers",
    "diaspora investment and knowledge-transfer schemes",
    "the collection and sharing of data on migration flows",
    "pre-departure orientation programmes",
    "circular migration schemes",
    "return and reintegration support",
    "the mutual recognition of skills and qualifications",
    "the protection of migrant domestic workers",
    "coherence between migration and development policies",
    "cooperation against trafficking in persons",
    "gender-sensitive migration policies",
    "migrants' access to health services",
    "financial literacy training for migrants and their families",
    "labour market information systems",
]
QUALIFIERS = [
    "in countries of origin and destination",
    "with the participation of civil society",
    "through regional consultative processes",
    "in partnership with the private sector",
    "drawing on lessons from pilot projects",
    "with particular attention to women migrants",
    "with support from international organisations",
    "and report on progress at the next meeting",
    "within existing resources",
    "on the basis of evidence from household surveys",
]

SUMMARIES = {
    Status.NOT_STARTED: [
        "No action reported yet; the responsible ministry has noted the recommendation.",
        "Discussed at an inter-ministerial meeting; no programme has been designed.",
        "Funding has not been identified; work is not expected to start this year.",
    ],
    Status.IN_PROGRESS: [
        "A working group has been set up and met twice.",
        "Terms of reference adopted; consultations with social partners under way.",
        "A pilot project started in two regions.",
        "Draft legislation submitted to parliament.",
    ],
    Status.PARTIALLY_IMPLEMENTED: [
        "The programme runs in some provinces; national roll-out pending.",
        "Half of the planned measures are in force.",
        "Implemented for one corridor; other corridors under negotiation.",
    ],
    Status.IMPLEMENTED: [
        "The measure is in force nationwide and has been evaluated.",
        "Agreement signed and ratified; first cohort completed.",
        "Fully implemented, as confirmed by the independent review.",
    ],
    Status.STALLED: [
        "Work halted after a change of government.",
        "No progress since the last report; funding ended.",
        "Negotiations suspended by one party.",
    ],
    Status.SUPERSEDED: [
        "Replaced by a later recommendation of the same process.",
        "Overtaken by the adoption of a regional framework.",
    ],
}

# Status of an update, given the previous one: (next statuses, cumulative weights).
FIRST_STATUS = ([Status.NOT_STARTED, Status.IN_PROGRESS, Status.PARTIALLY_IMPLEMENTED], [40, 90, 100])
TRANSITIONS = {
    Status.NOT_STARTED: ([Status.NOT_STARTED, Status.IN_PROGRESS, Status.STALLED], [40, 90, 100]),
    Status.IN_PROGRESS: (
        [Status.IN_PROGRESS, Status.PARTIALLY_IMPLEMENTED, Status.STALLED, Status.SUPERSEDED],
        [45, 80, 97, 100],
    ),
    Status.PARTIALLY_IMPLEMENTED: (
        [Status.PARTIALLY_IMPLEMENTED, Status.IMPLEMENTED, Status.STALLED, Status.IN_PROGRESS],
        [40, 80, 92, 100],
    ),
    Status.IMPLEMENTED: ([Status.IMPLEMENTED, Status.PARTIALLY_IMPLEMENTED], [92, 100]),
    Status.STALLED: ([Status.STALLED, Status.IN_PROGRESS, Status.NOT_STARTED], [50, 90, 100]),
    Status.SUPERSEDED: ([Status.SUPERSEDED], [100]),
}
KINDS = (
    [
        Recommendation.Kind.RECOMMENDATION,
        Recommendation.Kind.OUTCOME,
        Recommendation.Kind.KEY_MESSAGE,
        Recommendation.Kind.FINDING,
    ],
    [70, 80, 92, 100],
)


def _pick(rng, choices_and_cum_weights):
    choices, cum = choices_and_cum_weights
    return choices[bisect_right(cum, rng.random() * cum[-1])]


def _allocate(total, weights, rng):
    """Split `total` into integer counts proportional to `weights`, exactly and deterministically."""
    weight_sum = sum(weights)
    if not total or not weight_sum:
        return [0] * len(weights)
    counts = [int(w * total / weight_sum) for w in weights]
    remainder = total - sum(counts)
    if remainder:
        indexes = [i for i, w in enumerate(weights) if w > 0]
        for i in rng.choices(indexes, weights=[weights[i] for i in indexes], k=remainder):
            counts[i] += 1
    return counts


# --- Writing rows fast --------------------------------------------------------------------------


class BulkWriter:
    """Writes rows of one model with the driver's bulk path, values already in database form."""

    def __init__(self, conn):
        self.conn = conn
        self.vendor = conn.vendor
        self._dates = {}

    # Values in the form the driver stores them, as Django would write them.
    def date(self, ordinal):
        if ordinal is None:
            return None
        value = self._dates.get(ordinal)
        if value is None:
            value = datetime.date.fromordinal(ordinal)
            if self.vendor == "sqlite":
                value = value.isoformat()
            self._dates[ordinal] = value
        return value

    def datetime(self, timestamp):
        if timestamp is None:
            return None
        value = EPOCH + datetime.timedelta(seconds=timestamp)
        if self.vendor == "sqlite":
            # Django stores aware datetimes on SQLite as naive UTC text.
            return value.replace(tzinfo=None).isoformat(" ")
        return value

    def columns(self, model, given):
        """Column names for `given` attnames, plus constant defaults for every other field."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(given) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
        extra = []
        for attname, field in fields.items():
            if attname in given or (field.primary_key and isinstance(field, models.AutoField)):
                continue
            if field.has_default() and not callable(field.default):
                value = field.get_db_prep_save(field.get_default(), self.conn)
            elif field.null:
                value = None
            else:
                raise ValueError(f"generate_demo_data does not know how to fill {model.__name__}.{attname}")
            extra.append((field.column, value))
        columns = [fields[a].column for a in given] + [c for c, _ in extra]
        return columns, tuple(v for _, v in extra)

    def write(self, model, attnames, rows):
        """Insert `rows` (tuples in `attnames` order) into `model`'s table; returns the count."""
        table = model._meta.db_table
        columns, extra = self.columns(model, attnames)
        if extra:
            rows = (row + extra for row in rows)
        quoted = ", ".join(self.conn.ops.quote_name(c) for c in columns)
        count = 0
        if self.vendor == "postgresql":
            sql = f"COPY {self.conn.ops.quote_name(table)} ({quoted}) FROM STDIN"
            with self.conn.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["?"] * len(columns))
            sql = f"INSERT INTO {self.conn.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
            raw = self.conn.connection
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 50_000:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                raw.executemany(sql, batch)
                count += len(batch)
        return count


class deferred_indexes:
    """Drop a table's secondary indexes while it is bulk-loaded and build them again afterwards:
    building an index once from sorted data is several times faster than growing it row by row.
    Inside the caller's transaction, so a failure leaves the indexes as they were. Indexes that
    back a constraint (primary key, unique) stay."""

    def __init__(self, conn, model):
        self.conn, self.table = conn, model._meta.db_table
        self.definitions = []
        # Only for an empty table: rebuilding the indexes of a table that already holds real rows
        # (--force) would cost more than it saves.
        self.enabled = not model._base_manager.using(conn.alias).exists()

    def __enter__(self):
        if not self.enabled:
            return self
        with self.conn.cursor() as cursor:
            if self.conn.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [self.table],
                )
            elif self.conn.vendor == "postgresql":
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s"
                    " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                    [self.table, self.conn.ops.quote_name(self.table)],
                )
            else:
                return self
            self.definitions = cursor.fetchall()
            for name, _sql in self.definitions:
                cursor.execute(f"DROP INDEX {self.conn.ops.quote_name(name)}")
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            with self.conn.cursor() as cursor:
                if self.conn.vendor == "postgresql" and self.definitions:
                    # CREATE INDEX refuses a table with deferred foreign-key checks pending: run them now.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for _name, sql in self.definitions:
                    cursor.execute(sql)
                if self.conn.vendor == "postgresql" and self.definitions:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return False


def _next_id(model):
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


# --- The generator ------------------------------------------------------------------------------


class Generator:
    def __init__(self, recommendations, updates, seed, progress=None):
        self.n_recommendations = recommendations
        self.n_updates = updates
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress or (lambda message: None)
        self.started = time.monotonic()

    def say(self, message):
        self.progress(f"[{time.monotonic() - self.started:6.1f}s] {message}")

    # Reference data goes through the ORM: a few hundred rows, and it keeps model defaults honest.
    def make_reference_data(self):
        rng = self.rng
        self.processes = Process.objects.bulk_create(
            Process(
                slug=f"{SLUG_PREFIX}{slug}",
                acronym=acronym,
                name=name,
                kind=kind,
                description="Synthetic demo data for load tests; not a real process.",
                established=datetime.date(FIRST_YEAR, 1, 1),
                order=900 + i,
            )
            for i, (slug, acronym, name, kind) in enumerate(PROCESSES)
        )
        self.processes = list(Process.objects.filter(slug__startswith=SLUG_PREFIX).order_by("order", "pk"))

        n_forums = max(4, min(400, round(self.n_recommendations / 500)))
        span = LAST_YEAR - FIRST_YEAR + 1
        forums, documents = [], []
        for i in range(n_forums):
            process = self.processes[i % len(self.processes)]
            year = FIRST_YEAR + (i * span) // n_forums
            start = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(360))
            city, country = CITIES[rng.randrange(len(CITIES))]
            number = i + 1
            slug = f"{SLUG_PREFIX}f{number:03d}-{process.slug.removeprefix(SLUG_PREFIX)}-{year}"
            documents.append(
                Document(
                    slug=f"{slug}-report",
                    title=f"Report of the synthetic {process.acronym} meeting, {city}, {year}",
                    symbol=f"DEMO/{process.acronym}/{year}/{number}",
                    date=start + datetime.timedelta(days=30),
                    publisher=process.name,
                )
            )
            forums.append(
                Forum(
                    slug=slug,
                    process=process,
                    title=f"{process.acronym} meeting {number}, {city}, {year} (synthetic)",
                    city=city,
                    country=country,
                    start_date=start,
                    end_date=start + datetime.timedelta(days=rng.randrange(3)),
                    host=f"Government of {country}",
                    theme=f"{VERBS[rng.randrange(len(VERBS))]} {OBJECTS[rng.randrange(len(OBJECTS))]}",
                    format="Synthetic demo data." + (" Held under Chatham House rules." if rng.random() < 0.3 else ""),
                )
            )
        Document.objects.bulk_create(documents)
        Forum.objects.bulk_create(forums)
        self.documents = list(Document.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug"))
        self.forums = list(Forum.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug"))
        Forum.documents.through.objects.bulk_create(
            Forum.documents.through(forum_id=f.pk, document_id=d.pk)
            for f, d in zip(self.forums, self.documents, strict=True)
        )

        # Roundtables, some with sub-sessions (RT1 -> 1.a, 1.b): parents first, then children.
        parents, children_spec = [], []
        for forum in self.forums:
            for n in range(1, rng.randint(3, 6) + 1):
                parents.append(
                    Roundtable(
                        forum=forum,
                        slug=f"{forum.slug}-rt{n}",
                        code=str(n),
                        title=f"Roundtable {n}: {OBJECTS[rng.randrange(len(OBJECTS))]}",
                        order=n * 10,
                    )
                )
                if rng.random() < 0.3:
                    children_spec.append((len(parents) - 1, rng.randint(2, 3)))
        Roundtable.objects.bulk_create(parents)
        parents = list(Roundtable.objects.filter(forum__in=self.forums).order_by("forum__slug", "order", "pk"))
        children = []
        for index, count in children_spec:
            parent = parents[index]
            for letter in "abc"[:count]:
                children.append(
                    Roundtable(
                        forum_id=parent.forum_id,
                        parent=parent,
                        slug=f"{parent.slug}{letter}",
                        code=f"{parent.code}.{letter}",
                        title=f"Session {parent.code}.{letter}: {QUALIFIERS[rng.randrange(len(QUALIFIERS))]}",
                        order=parent.order + 1 + "abc".index(letter),
                    )
                )
        Roundtable.objects.bulk_create(children)
        # Recommendations hang from the leaves: a sub-session if the roundtable has them.
        self.leaves = {forum.pk: [] for forum in self.forums}
        with_children = {parents[i].pk for i, _ in children_spec}
        for rt in Roundtable.objects.filter(forum__in=self.forums).order_by("forum__slug", "order", "pk"):
            if rt.pk not in with_children:
                self.leaves[rt.forum_id].append(rt.pk)

        # Actors: governments, organisations, a secretariat, civil society.
        actors = [
            Actor(
                slug=f"{SLUG_PREFIX}gov-{iso.lower()}",
                name=f"Government of {name}",
                kind=Actor.Kind.GOVERNMENT,
                country_code=iso,
            )
            for iso, name in GOVERNMENTS
        ]
        actors += [Actor(slug=f"{SLUG_PREFIX}{slug}", name=name, kind=kind) for slug, name, kind in ORGANISATIONS]
        Actor.objects.bulk_create(actors)
        actors = list(Actor.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug"))
        self.responsible = [a.pk for a in actors if a.kind in (Actor.Kind.GOVERNMENT, Actor.Kind.INTERGOVERNMENTAL)]
        self.secretariat = [a.pk for a in actors if a.kind == Actor.Kind.SECRETARIAT]
        self.civil_society = [a.pk for a in actors if a.kind in (Actor.Kind.CIVIL_SOCIETY, Actor.Kind.OTHER)]

        # Themes: reuse a real theme of the same name, otherwise create a demo one.
        existing = {t.name: t.pk for t in Theme.objects.all()}
        Theme.objects.bulk_create(
            Theme(slug=f"{SLUG_PREFIX}{name.lower().replace(' ', '-')}", name=name)
            for name in THEMES
            if name not in existing
        )
        self.themes = list(
            Theme.objects.filter(models.Q(name__in=THEMES)).order_by("name", "pk").values_list("pk", flat=True)
        )

        # Framework objectives: the real lists if loaded, otherwise demo copies of them.
        if not FrameworkObjective.objects.exists():
            FrameworkObjective.objects.bulk_create(
                [
                    FrameworkObjective(
                        slug=f"{SLUG_PREFIX}gcm-{n}",
                        framework=FrameworkObjective.Framework.GCM,
                        number=str(n),
                        title=title,
                        order=n,
                    )
                    for n, title in enumerate(GCM_OBJECTIVES, start=1)
                ]
                + [
                    FrameworkObjective(
                        slug=f"{SLUG_PREFIX}sdg-{number.replace('.', '-')}",
                        framework=FrameworkObjective.Framework.SDG,
                        number=number,
                        title=title,
                        order=n,
                    )
                    for n, (number, title) in enumerate(SDG_TARGETS, start=1)
                ]
            )
        self.objectives = list(
            FrameworkObjective.objects.order_by("framework", "order", "pk").values_list("pk", flat=True)
        )
        self.say(
            f"reference data: {len(self.processes)} processes, {len(self.forums)} forums, "
            f"{len(parents) + len(children)} roundtables, {len(actors)} actors, {len(self.themes)} themes, "
            f"{len(self.objectives)} objectives"
        )

    def plan_recommendations(self):
        """Decide every recommendation's forum, roundtable, actors and number of updates."""
        rng = self.rng
        per_forum = _allocate(self.n_recommendations, [rng.lognormvariate(0, 0.6) for _ in self.forums], rng)
        self.recs = []  # (forum, order, roundtable_id, actors) per recommendation, in code order
        for forum, count in zip(self.forums, per_forum, strict=True):
            leaves = self.leaves[forum.pk]
            for order in range(1, count + 1):
                roundtable = leaves[rng.randrange(len(leaves))] if leaves and rng.random() < 0.9 else None
                actors = rng.sample(self.responsible, rng.randint(1, 3))
                self.recs.append((forum, order, roundtable, actors))
        # Updates per recommendation: about one in eight has none ("no information"), the rest a
        # long tail, so a few recommendations have hundreds of updates.
        weights = [0.0 if rng.random() < 0.12 else rng.paretovariate(2.5) for _ in self.recs]
        self.update_counts = _allocate(self.n_updates, weights, rng)

    def make_updates(self):
        """All updates as compact tuples, ordered by recording time as they would have arrived."""
        rng = self.rng
        end_ordinal = END_DATE.toordinal()
        end_ts = int(
            (datetime.datetime.combine(END_DATE, datetime.time(23, 59, 59), datetime.UTC) - EPOCH).total_seconds()
        )
        epoch_ordinal = EPOCH.date().toordinal()
        updates = []
        n_secretariat, n_civil = len(self.secretariat), len(self.civil_society)
        for rec_index, ((forum, _order, _rt, actors), count) in enumerate(
            zip(self.recs, self.update_counts, strict=True)
        ):
            if not count:
                continue
            low = min(forum.start_date.toordinal() + 14, end_ordinal)
            days = sorted(rng.randint(low, end_ordinal) for _ in range(count))
            status = None
            for seq, day in enumerate(days):
                status = _pick(rng, TRANSITIONS[status] if status else FIRST_STATUS)
                roll = rng.random()
                if roll < 0.65:
                    actor = actors[rng.randrange(len(actors))]
                elif roll < 0.9:
                    actor = self.secretariat[rng.randrange(n_secretariat)]
                else:
                    actor = self.civil_society[rng.randrange(n_civil)]
                recorded = min((day - epoch_ordinal + rng.randrange(45)) * 86400 + rng.randrange(86400), end_ts)
                updates.append((recorded, rec_index, seq, day, status, actor, rng.randrange(8)))
            if len(updates) % 200_000 < count:
                self.say(f"planned {len(updates):,} updates")
        updates.sort()
        return updates

    def run(self):
        self.make_reference_data()
        self.plan_recommendations()
        updates = self.make_updates()
        self.say(f"planned {len(updates):,} updates, writing")
        writer = BulkWriter(connection)
        rec_base, upd_base = _next_id(Recommendation), _next_id(ProgressUpdate)

        # The current status of each recommendation: its latest approved update by reported-on
        # date, then recording time, then id, exactly as tracker.services decides it.
        latest = {}
        for position, (recorded, rec_index, _seq, day, status, _actor, _s) in enumerate(updates):
            key = (day, recorded, upd_base + position)
            current = latest.get(rec_index)
            if current is None or key > current[0]:
                latest[rec_index] = (key, status)

        rng = self.rng
        forum_numbers = {f.pk: n for n, f in enumerate(self.forums, start=1)}
        doc_of_forum = {f.pk: d.pk for f, d in zip(self.forums, self.documents, strict=True)}
        texts = [f"{v} {o} {q}." for v in VERBS for o in OBJECTS for q in QUALIFIERS]
        # Recommendation.search_text as SearchTextField.pre_save() computes it (COPY skips it).
        folded_texts = [search_form(text) for text in texts]
        # The first global number continues after earlier demo codes only if there are any left.
        rec_rows = []
        codes = []
        for index, (forum, order, roundtable, _actors) in enumerate(self.recs):
            code = f"{CODE_PREFIX}F{forum_numbers[forum.pk]:03d}-{index + 1:06d}"
            codes.append(code)
            created = int(
                (datetime.datetime.combine(forum.end_date, datetime.time(18), datetime.UTC) - EPOCH).total_seconds()
            )
            current = latest.get(index)
            if current:
                (day, recorded, _id), status = current
                status_date, changed = writer.date(day), writer.datetime(recorded)
                updated = writer.datetime(max(recorded, created))
            else:
                status, status_date, changed, updated = (
                    Status.NO_INFORMATION.value,
                    None,
                    None,
                    writer.datetime(created),
                )
            target = forum.start_date.year + rng.randint(2, 15) if rng.random() < 0.3 else None
            text_index = rng.randrange(len(texts))
            rec_rows.append(
                (
                    rec_base + index,
                    code,
                    forum.pk,
                    roundtable,
                    order,
                    texts[text_index],
                    _pick(rng, KINDS).value,
                    str(status),
                    status_date,
                    changed,
                    writer.date(datetime.date(target, 12, 31).toordinal()) if target else None,
                    doc_of_forum[forum.pk],
                    f"para. {order}",
                    1 + self.update_counts[index],
                    writer.datetime(created),
                    updated,
                    f"{search_form(code)}\n{folded_texts[text_index]}",
                )
            )
        rec_fields = [
            "id", "code", "forum_id", "roundtable_id", "order", "text", "kind", "status", "status_date",
            "status_changed_at", "target_date", "source_document_id", "source_locator", "version", "created_at",
            "updated_at", "search_text",
        ]  # fmt: skip
        with deferred_indexes(connection, Recommendation):
            n = writer.write(Recommendation, rec_fields, rec_rows)
        del rec_rows
        self.say(f"wrote {n:,} recommendations")

        def m2m(pairs_per_rec):
            for index, targets in enumerate(pairs_per_rec):
                for target in targets:
                    yield (rec_base + index, target)

        themes = [rng.sample(self.themes, rng.randint(1, min(3, len(self.themes)))) for _ in self.recs]
        objectives = [rng.sample(self.objectives, rng.randint(0, min(3, len(self.objectives)))) for _ in self.recs]
        n_themes = writer.write(Recommendation.themes.through, ["recommendation_id", "theme_id"], m2m(themes))
        n_actors = writer.write(
            Recommendation.actors.through, ["recommendation_id", "actor_id"], m2m(r[3] for r in self.recs)
        )
        n_objectives = writer.write(
            Recommendation.objectives.through, ["recommendation_id", "frameworkobjective_id"], m2m(objectives)
        )
        self.say(f"wrote {n_themes:,} theme, {n_actors:,} actor and {n_objectives:,} objective mappings")

        # About 1% of recommendations restate, refine, follow up or supersede an earlier one.
        links = set()
        for index in range(len(self.recs)):
            if index > 100 and rng.random() < 0.01:
                earlier = rng.randrange(index - 100)
                kind = _pick(rng, (list(RecommendationLink.Kind), [40, 70, 90, 100]))
                links.add((rec_base + index, kind.value, rec_base + earlier))
        writer.write(RecommendationLink, ["from_recommendation_id", "kind", "to_recommendation_id"], sorted(links))

        summaries = {status: SUMMARIES[status] for status in SUMMARIES}

        def update_rows():
            for position, (recorded, rec_index, seq, day, status, actor, s) in enumerate(updates):
                texts = summaries[status]
                when = writer.datetime(recorded)
                yield (
                    upd_base + position,
                    rec_base + rec_index,
                    actor,
                    status.value,
                    texts[s % len(texts)],
                    f"https://example.org/demo-evidence/{codes[rec_index]}/{seq + 1}" if s < 3 else "",
                    writer.date(day),
                    when,
                    ProgressUpdate.ReviewState.APPROVED.value,
                    when,
                )
                if position and position % 250_000 == 0:
                    self.say(f"wrote {position:,} updates")

        upd_fields = [
            "id", "recommendation_id", "actor_id", "status", "summary", "evidence_url", "reported_on", "recorded_at",
            "review_state", "reviewed_at",
        ]  # fmt: skip
        with deferred_indexes(connection, ProgressUpdate):
            n = writer.write(ProgressUpdate, upd_fields, update_rows())
        self.say(f"wrote {n:,} progress updates")
        return {"recommendations": len(self.recs), "updates": n, "links": len(links)}


# --- Entry points -------------------------------------------------------------------------------


def demo_recommendations():
    return Recommendation.objects.filter(code__startswith=CODE_PREFIX)


def non_demo_recommendation_count():
    return Recommendation.objects.exclude(code__startswith=CODE_PREFIX).count()


def delete_demo_data(using="default"):
    """Remove everything an earlier run created. `_raw_delete` issues one DELETE per table
    without loading a million objects into memory (what `QuerySet.delete()` would do to send
    signals; demo rows have no history or signals to honour)."""
    recs = demo_recommendations().values("pk")
    demo = {"slug__startswith": SLUG_PREFIX}
    ProgressUpdate.objects.filter(recommendation__in=recs)._raw_delete(using)
    FollowUpAction.objects.filter(recommendation__in=recs)._raw_delete(using)
    RecommendationLink.objects.filter(
        models.Q(from_recommendation__in=recs) | models.Q(to_recommendation__in=recs)
    )._raw_delete(using)
    for through in (Recommendation.themes.through, Recommendation.actors.through, Recommendation.objectives.through):
        through.objects.filter(recommendation__in=recs)._raw_delete(using)
    demo_recommendations()._raw_delete(using)
    Forum.documents.through.objects.filter(forum__slug__startswith=SLUG_PREFIX)._raw_delete(using)
    Roundtable.objects.filter(forum__slug__startswith=SLUG_PREFIX).exclude(parent=None)._raw_delete(using)
    Roundtable.objects.filter(forum__slug__startswith=SLUG_PREFIX)._raw_delete(using)
    Forum.objects.filter(**demo)._raw_delete(using)
    for model in (Process, Document, Actor, Theme, FrameworkObjective):
        model.objects.filter(**demo)._raw_delete(using)


def generate(recommendations, updates, seed, *, force=False, progress=None):
    """Replace the demo data with a fresh, deterministic set. Refuses a database holding real
    recommendations unless `force`."""
    progress = progress or (lambda message: None)
    others = non_demo_recommendation_count()
    if others and not force:
        raise NonDemoData(
            f"This database holds {others} recommendations that are not demo data (their codes do not start "
            f"with {CODE_PREFIX}). Generate demo data into an empty database, or pass --force to add it anyway."
        )
    # PRAGMAs cannot change inside a transaction (as in a test), where speed does not matter.
    fast = connection.vendor == "sqlite" and not others and not connection.in_atomic_block
    if fast:
        # A demo database can be regenerated, so trade crash safety for speed while writing it.
        # The journal stays WAL: changing it needs the only connection to the file, and a server
        # (or a test's live server) may hold another one open.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
            cursor.execute("PRAGMA temp_store=MEMORY")
    try:
        with transaction.atomic():
            if demo_recommendations().exists() or Process.objects.filter(slug__startswith=SLUG_PREFIX).exists():
                progress("removing the previous demo data")
                delete_demo_data()
            counts = Generator(recommendations, updates, seed, progress=progress).run()
            if connection.vendor == "postgresql":
                models_with_ids = [Recommendation, ProgressUpdate]
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), models_with_ids):
                        cursor.execute(sql)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                # VACUUM also fills the visibility map, without which PostgreSQL cannot answer
                # counts such as "recommendations of a forum with a status" from the index alone.
                # Autovacuum would get there eventually; a benchmark should not wait for it.
                progress("updating the query planner's statistics and the visibility map (VACUUM ANALYZE)")
                cursor.execute("VACUUM ANALYZE")
            else:
                progress("updating the query planner's statistics (ANALYZE)")
                cursor.execute("ANALYZE")
    finally:
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
    return counts


def stderr_progress(message):
    print(message, file=sys.stderr, flush=True)
