"""Search matches word forms and theme names, the same on SQLite and PostgreSQL.

`Recommendation.search_text` holds the folded code, text and theme names and their Snowball
English stems (`tracker.text.search_document`); a query word matches when its folded form or its
stem occurs in it (`tracker.filters.RecommendationFilterSet.filter_search`). Every write path keeps
the theme names in it current: a save, links changed from either side (admin form, bulk tagging,
import, `loaddata`), a theme renamed (admin) or deleted; the API's writes keep it as it was.

Run on both databases (`.ci/run` does): the pinned result sets below are the same literal lists
on each, and `test_the_database_finds_what_python_finds_for_every_word_of_the_seed` compares the
database's answer with the same matching done in Python for every word of the seed, so SQLite
and PostgreSQL give the same result sets as each other.
"""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tracker import importing, roles, services
from tracker.models import Actor, Recommendation, Theme
from tracker.models.search import refresh_search_text
from tracker.text import search_document, search_terms

API = "/api/v1"
REMITTANCES = ["GFMD-2007-RT1-03", "GFMD-2007-RT2-01", "GFMD-2007-RT2-02", "GFMD-2007-RT2-03"]


@pytest.fixture
def seed(db, settings):
    fixtures = sorted(str(path) for path in (settings.BASE_DIR / "fixtures").glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)


def page_codes(client, words):
    response = client.get("/recommendations/", {"q": words, "page_size": 100})
    assert response.status_code == 200
    return sorted(rec.code for rec in response.context["page"].object_list)


def api_codes(client, words):
    response = client.get(f"{API}/recommendations/", {"search": words, "page_size": 1000})
    assert response.status_code == 200, response.content[:2000]
    return sorted(row["code"] for row in response.json()["results"])


def found(client, words):
    """The codes `words` finds on the browse page, asserted equal to the API's."""
    codes = page_codes(client, words)
    assert api_codes(client, words) == codes
    return codes


def documents():
    """{code: the search document recomputed from the row's code, text and theme names}."""
    return {
        rec.code: search_document(rec.code, rec.text, *(theme.name for theme in rec.themes.all()))
        for rec in Recommendation.objects.prefetch_related("themes")
    }


def python_codes(words, documents):
    """The codes `words` finds, matched in Python against `documents`: what the database must answer."""
    terms = [search_terms(word) for word in words.split()[:10]]
    terms = [(folded, stem) for folded, stem in terms if folded]
    return sorted(code for code, document in documents.items() if all(f in document or s in document for f, s in terms))


# Word forms and theme names on the seed


def test_remittance_and_remittances_find_the_four_items_of_the_theme(client, seed):
    tagged = sorted(Recommendation.objects.filter(themes__slug="remittances").values_list("code", flat=True))
    assert tagged == REMITTANCES
    for word in ("remittance", "remittances", "Remittances", "REMITTANCE", "remitt"):
        assert found(client, word) == REMITTANCES, word


@pytest.mark.parametrize(
    ("one", "other", "count"),
    [
        ("policy", "policies", 5),
        ("migrant", "migrants", 7),
        ("recruit", "recruitment", 4),
        ("diaspora", "diasporas", 2),
        ("right", "rights", 4),
        ("circular migration", "circular migrations", 7),
    ],
)
def test_singular_and_plural_and_other_forms_find_the_same_items(client, seed, one, other, count):
    assert len(found(client, one)) == count
    assert found(client, other) == found(client, one)


def test_a_theme_name_finds_every_item_tagged_with_it(client, seed):
    for theme in Theme.objects.all():
        tagged = set(Recommendation.objects.filter(themes=theme).values_list("code", flat=True))
        assert tagged <= set(found(client, theme.name)), theme.name
    # GFMD-2007-RT1-03 says nothing of remittances: only its theme does.
    rec = Recommendation.objects.get(code="GFMD-2007-RT1-03")
    assert "remitt" not in rec.text.lower()
    assert "GFMD-2007-RT1-03" in found(client, "remittances")


def test_a_part_of_a_word_still_matches_as_typed(client, seed):
    # "recruitm" is longer than the stem of "recruitment" ("recruit"): it matches the folded text.
    assert found(client, "recruitm") == found(client, "recruitment")
    assert found(client, "gfmd-2007-rt1-03") == ["GFMD-2007-RT1-03"]


def test_the_database_finds_what_python_finds_for_every_word_of_the_seed(client, seed):
    from tracker.filters import RecommendationFilterSet

    words = set()
    for code, text in Recommendation.objects.values_list("code", "text"):
        words.update(code.split())
        words.update(text.split())
    words.update(Theme.objects.values_list("name", flat=True))
    # Other forms than the seed's (a plural, the start of a word), and words found nowhere.
    words.update([form for word in list(words) for form in (f"{word}s", word[:5])])
    words.update(["remittance", "policies", "Migrations", "governments'", "absentword", "labor", "women's"])
    assert len(words) > 900
    mismatches, recomputed = {}, documents()
    # The filter's own method, without building a filter set per word (the pages go through it above).
    search = RecommendationFilterSet(queryset=Recommendation.objects.all()).filter_search
    for word in sorted(words):
        database = sorted(search(Recommendation.objects.all(), "q", word).values_list("code", flat=True))
        expected = python_codes(word, recomputed)
        if database != expected:
            mismatches[word] = (database, expected)
    assert mismatches == {}
    # Two words together: each must match.
    assert found(client, "remittances costs") == python_codes("remittances costs", recomputed)
    assert set(found(client, "remittances costs")) < set(REMITTANCES)


# Keeping the theme names current


@pytest.fixture
def tagged(make_recommendation, make_theme):
    diaspora = make_theme(name="Diaspora engagement", slug="diaspora-engagement")
    rec = make_recommendation(code="KEEP-01", text="Involve communities abroad.", themes=[diaspora])
    return SimpleNamespace(rec=rec, diaspora=diaspora)


def stored(rec):
    rec.refresh_from_db()
    names = [theme.name for theme in rec.themes.all()]
    assert rec.search_text == search_document(rec.code, rec.text, *names)
    return rec.search_text


def test_links_changed_from_the_recommendation_or_the_theme_change_the_column(client, tagged, make_theme):
    rec, diaspora = tagged.rec, tagged.diaspora
    assert "diaspora engagement" in stored(rec)
    assert found(client, "engagements") == ["KEEP-01"]

    gender = make_theme(name="Gender equality", slug="gender-equality")
    rec.themes.add(gender)
    assert "gender equality" in stored(rec)
    assert found(client, "equality") == ["KEEP-01"]

    rec.themes.remove(diaspora)
    assert "diaspora" not in stored(rec)
    assert found(client, "diaspora") == []

    rec.themes.clear()
    assert "gender" not in stored(rec)

    diaspora.recommendations.add(rec)
    assert "diaspora engagement" in stored(rec)
    diaspora.recommendations.remove(rec)
    assert "diaspora" not in stored(rec)
    diaspora.recommendations.set([rec])
    assert "diaspora" in stored(rec)
    diaspora.recommendations.clear()
    assert "diaspora" not in stored(rec)
    assert found(client, "diaspora") == []


def test_a_renamed_theme_changes_the_column_of_its_recommendations_only(client, tagged, make_recommendation):
    other = make_recommendation(code="KEEP-02", text="Something else.")
    untouched = other.search_text
    tagged.diaspora.name = "Transnational communities"
    tagged.diaspora.save()
    assert "transnational communities" in stored(tagged.rec)
    assert "diaspora" not in tagged.rec.search_text
    assert found(client, "transnational") == ["KEEP-01"]
    other.refresh_from_db()
    assert other.search_text == untouched


def test_a_deleted_theme_leaves_the_column(client, tagged):
    tagged.diaspora.delete()
    assert "diaspora" not in stored(tagged.rec)
    assert found(client, "diaspora") == []


def test_a_save_of_the_text_keeps_the_theme_names(tagged):
    rec = Recommendation.objects.get(pk=tagged.rec.pk)
    rec.text = "Involve diasporas abroad."
    rec.save()
    assert stored(rec).splitlines()[2] == "diaspora engagement"
    rec.text = "Involve communities again."
    rec.save(update_fields=["text"])
    assert "diaspora engagement" in stored(rec)


def test_a_status_change_through_the_service_or_the_api_keeps_the_column(
    client, tagged, secretariat_user, api_client_for
):
    before = stored(tagged.rec)
    services.record_progress(
        tagged.rec,
        user=secretariat_user,
        actor=secretariat_user.actor,
        status=Recommendation.Status.IN_PROGRESS,
        summary="Started.",
        reported_on=datetime.date(2009, 1, 5),
    )
    api = api_client_for(secretariat_user)
    tag = api.get(f"{API}/recommendations/{tagged.rec.code}/")["ETag"]
    response = api.post(
        f"{API}/updates/",
        {
            "recommendation": tagged.rec.code,
            "status": "implemented",
            "summary": "Done.",
            "reported_on": "2009-06-01",
        },
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert response.status_code == 201, response.content[:2000]
    tagged.rec.refresh_from_db()
    assert tagged.rec.status == Recommendation.Status.IMPLEMENTED
    assert stored(tagged.rec) == before
    assert found(client, "engagement") == ["KEEP-01"]


def test_the_admin_form_the_bulk_action_and_a_theme_renamed_in_the_admin_keep_it_current(
    client, tagged, secretariat_user, make_theme
):
    from tests.test_admin_roles import recommendation_form_data

    rec = tagged.rec
    gender = make_theme(name="Gender equality", slug="gender-equality")
    client.force_login(secretariat_user)
    response = client.post(
        reverse("admin:tracker_recommendation_change", args=[rec.pk]),
        recommendation_form_data(rec, themes=[gender.pk], text="Involve women abroad."),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    text = stored(rec)
    assert "gender equality" in text and "diaspora" not in text and "involve women abroad" in text

    response = client.post(
        reverse("admin:tracker_recommendation_changelist"),
        {
            "action": "set_themes",
            "apply": "1",
            "themes": [tagged.diaspora.pk],
            "mode": "add",
            "_selected_action": [rec.pk],
        },
    )
    assert response.status_code == 302
    assert "diaspora engagement" in stored(rec)

    response = client.post(
        reverse("admin:tracker_theme_change", args=[gender.pk]),
        {"name": "Equality of women and men", "slug": gender.slug, "description": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "equality of women and men" in stored(rec)
    assert found(client, "men") == ["KEEP-01"]


IMPORT_HEADER = (
    "code,kind,status,status_label,text,process,forum,forum_title,roundtable,roundtable_title,themes,actors,"
    "objectives,source_document,source_locator,target_date,last_update,url\r\n"
)


def test_the_import_keeps_the_theme_names_current(client, tmp_path, make_user, make_forum, make_theme, tagged):
    forum = make_forum(slug="import-forum")
    make_theme(name="Remittances", slug="remittances")
    secretariat = make_user(
        "importer", groups=[roles.SECRETARIAT], actor=Actor.objects.create(slug="sec", name="Sec", kind="secretariat")
    )
    path = tmp_path / "rows.csv"
    path.write_text(
        IMPORT_HEADER
        + f"IMP-01,recommendation,no_information,,Lower the costs of transfers,{forum.process.slug},{forum.slug},"
        ",,,Remittances,,,,,,,\r\n"
        + f"KEEP-01,recommendation,no_information,,Involve communities abroad.,{tagged.rec.forum.process.slug},"
        f"{tagged.rec.forum.slug},,,,Remittances,,,,,,,\r\n",
        encoding="utf-8",
        newline="",
    )
    report = importing.import_recommendations(importing.load_dataset(path), user=secretariat)
    assert report.errors == []
    assert found(client, "remittance") == ["IMP-01", "KEEP-01"]
    assert "diaspora" not in stored(Recommendation.objects.get(code="KEEP-01"))
    assert "remittances" in stored(Recommendation.objects.get(code="IMP-01"))


def test_loading_the_seed_again_keeps_the_theme_names(client, seed, settings):
    before = dict(Recommendation.objects.values_list("code", "search_text"))
    fixtures = sorted(str(path) for path in (settings.BASE_DIR / "fixtures").glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)
    assert dict(Recommendation.objects.values_list("code", "search_text")) == before
    assert found(client, "remittance") == REMITTANCES


def test_refresh_search_text_writes_only_stale_rows(tagged, make_recommendation, django_assert_num_queries):
    make_recommendation(code="KEEP-02")
    Recommendation.objects.filter(code="KEEP-01").update(search_text="stale")
    # The rows, their themes, the UPDATE of the one stale row; then the next (empty) batch.
    with django_assert_num_queries(4):
        assert refresh_search_text(Recommendation.objects.all()) == 1
    assert "diaspora engagement" in stored(tagged.rec)
    with django_assert_num_queries(3):
        assert refresh_search_text(Recommendation.objects.all()) == 0


def test_the_migration_recomputes_every_row_and_back(tagged, make_recommendation):
    make_recommendation(code="OLD-02", text="Coopération régionale")
    Recommendation.objects.update(search_text="")
    migration = importlib.import_module("tracker.migrations.0016_search_stems")
    schema_editor = SimpleNamespace(connection=connection)

    migration.fill_search_stems(apps, schema_editor)
    assert dict(Recommendation.objects.values_list("code", "search_text")) == {
        "KEEP-01": "keep-01\ninvolve communities abroad.\ndiaspora engagement\nkeep-01\ninvolv communiti abroad.\n"
        "diaspora engag",
        "OLD-02": "old-02\ncooperation regionale\nold-02\ncooper regional",
    }

    migration.fill_folded_only(apps, schema_editor)
    assert dict(Recommendation.objects.values_list("code", "search_text")) == {
        "KEEP-01": "keep-01\ninvolve communities abroad.",
        "OLD-02": "old-02\ncooperation regionale",
    }


def test_the_demo_data_carries_the_search_text_a_save_would(db):
    # generate_demo_data writes rows by COPY (PostgreSQL) or executemany (SQLite), past pre_save().
    call_command("generate_demo_data", recommendations=200, updates=400, verbosity=0)
    assert Recommendation.objects.filter(themes__isnull=False).distinct().count() == 200
    assert refresh_search_text(Recommendation.objects.all()) == 0
