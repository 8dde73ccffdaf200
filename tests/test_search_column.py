"""Every write path keeps `Recommendation.search_text` in step with the code, the text and the theme
names: a save (whole or of some fields), `bulk_create`, links changed from either side (admin form,
bulk tagging, import), a theme renamed (admin) or deleted, the migrations that fill the column and
the demo-data generator; the API's writes keep it as it was.

What the column makes searchable on the seed (word forms, folding) is tested in
tests/test_search_stems.py and tests/test_search_folding.py, which load the seed once per module
(tests/conftest.py `seed`); these tests build their own rows, so they live apart from them.
"""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.test_search_stems import API, found
from tracker import importing, roles, services
from tracker.models import Actor, Recommendation
from tracker.models.search import refresh_search_text
from tracker.text import search_document, search_form


def browse_codes(client, name, word):
    response = client.get("/recommendations/", {name: word})
    assert response.status_code == 200
    return [rec.code for rec in response.context["page"].object_list]


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


def test_bulk_create_computes_the_search_text(make_forum):
    forum = make_forum()
    created = Recommendation.objects.bulk_create(
        [
            Recommendation(code="BULK-01", forum=forum, order=1, text="Éducation des enfants migrants"),
            Recommendation(code="BULK-02", forum=forum, order=2, text="التنمية المستدامة"),
        ]
    )
    expected = {
        "BULK-01": "bulk-01\neducation des enfants migrants\nbulk-01\neduc des enfant migrant",
        "BULK-02": "bulk-02\nالتنميه المستدامه\nbulk-02\nالتنميه المستدامه",  # ta marbuta folded to ha
    }
    assert {rec.code: rec.search_text for rec in created} == expected
    assert dict(Recommendation.objects.values_list("code", "search_text")) == expected
    assert list(Recommendation.objects.filter(search_text__contains=search_form("ÉDUCATION"))) == [created[0]]


def test_a_save_after_editing_the_text_or_code_keeps_the_search_text_in_step(client, make_recommendation):
    rec = make_recommendation(code="EDIT-01", text="Première version")
    assert browse_codes(client, "q", "PREMIERE") == ["EDIT-01"]

    rec.text = "Deuxième version"
    rec.save()
    assert browse_codes(client, "q", "premiere") == []
    assert browse_codes(client, "q", "DEUXIEME") == ["EDIT-01"]

    # A save of only some fields that names the text saves the search text with it.
    rec.text = "Troisième version"
    rec.save(update_fields=["text"])
    rec.refresh_from_db()
    assert rec.search_text == "edit-01\ntroisieme version\nedit-01\ntroisiem version"
    assert browse_codes(client, "q", "troisième") == ["EDIT-01"]

    rec.code = "EDIT-02"
    rec.save(update_fields=["code"])
    assert browse_codes(client, "q", "edit-02") == ["EDIT-02"]
    assert browse_codes(client, "q", "edit-01") == []


def test_the_search_text_is_not_in_the_history(make_recommendation):
    rec = make_recommendation(text="Texte d'origine")
    rec.text = "Texte modifié"
    rec.save()
    history_fields = {field.name for field in Recommendation.history.model._meta.get_fields()}
    assert "text" in history_fields
    assert "search_text" not in history_fields
    assert Recommendation.history.filter(id=rec.pk).count() == 2


def test_the_migration_fills_the_search_text_of_existing_rows(make_recommendation):
    make_recommendation(code="OLD-01", text="Coopération régionale")
    make_recommendation(code="OLD-02", text="الهِجْرَة")
    Recommendation.objects.update(search_text="")
    migration = importlib.import_module("tracker.migrations.0006_recommendation_search_text")

    migration.fill_search_text(apps, SimpleNamespace(connection=connection))

    assert dict(Recommendation.objects.values_list("code", "search_text")) == {
        "OLD-01": "old-01\ncooperation regionale",
        "OLD-02": "old-02\nالهجره",  # harakat removed, ta marbuta folded to ha
    }
