"""The generator: reference data through the ORM, then recommendations, their tags and links, and
approved progress updates through the bulk writer, all drawn from one seeded random stream."""

import datetime
import random
import time
from bisect import bisect_right

from django.db import connection, models

from tracker.models import (
    Actor,
    Document,
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
from tracker.models.translations import SOURCE_DEFAULT
from tracker.text import search_documents

from .bulk import BulkWriter, next_id
from .vocabulary import (
    CITIES,
    CODE_PREFIX,
    END_DATE,
    EPOCH,
    FIRST_STATUS,
    FIRST_YEAR,
    GCM_OBJECTIVES,
    GOVERNMENTS,
    KINDS,
    LAST_YEAR,
    OBJECTS,
    ORGANISATIONS,
    PROCESSES,
    QUALIFIERS,
    SDG_TARGETS,
    SLUG_PREFIX,
    SUMMARIES,
    THEMES,
    TRANSITIONS,
    VERBS,
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


class Generator:
    # The tables `run` writes with the bulk writer (their triggers are paused meanwhile: tracker.demo.generate).
    BULK_MODELS = (
        Recommendation,
        Recommendation.themes.through,
        Recommendation.actors.through,
        Recommendation.objectives.through,
        RecommendationLink,
        ProgressUpdate,
    )

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
        self.writer = writer = BulkWriter(connection)
        rec_base, upd_base = next_id(Recommendation), next_id(ProgressUpdate)

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
                )
            )
        # Drawn here, after the rows, so the random sequence (and the data) stays that of before.
        themes = [rng.sample(self.themes, rng.randint(1, min(3, len(self.themes)))) for _ in self.recs]
        # Recommendation's search columns as SearchTextField computes them (COPY skips it): code,
        # text (English, untranslated) and the names of the themes in their order (self.themes is
        # in it) with their translations, folded and stemmed.
        search_field = Recommendation._meta.get_field("search_text")
        theme_parts = {theme.pk: search_field.part(theme, "name") for theme in Theme.objects.filter(pk__in=self.themes)}
        theme_rank = {pk: rank for rank, pk in enumerate(self.themes)}

        def with_search_text(rows):
            for row, row_themes in zip(rows, themes, strict=True):
                names = [theme_parts[pk] for pk in sorted(row_themes, key=theme_rank.__getitem__)]
                source, by_language = search_documents(
                    [(SOURCE_DEFAULT, row[1], {}), (SOURCE_DEFAULT, row[5], {}), *names], search_field.languages
                )
                yield (*row, source, *by_language.values())

        rec_fields = [
            "id", "code", "forum_id", "roundtable_id", "order", "text", "kind", "status", "status_date",
            "status_changed_at", "target_date", "source_document_id", "source_locator", "version", "created_at",
            "updated_at", *search_field.columns(),
        ]  # fmt: skip
        n = writer.write(Recommendation, rec_fields, with_search_text(rec_rows))
        del rec_rows
        self.say(f"wrote {n:,} recommendations")

        def m2m(pairs_per_rec):
            for index, targets in enumerate(pairs_per_rec):
                for target in targets:
                    yield (rec_base + index, target)

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
        n = writer.write(ProgressUpdate, upd_fields, update_rows())
        self.say(f"wrote {n:,} progress updates")
        return {"recommendations": len(self.recs), "updates": n, "links": len(links)}


# --- Entry points -------------------------------------------------------------------------------
