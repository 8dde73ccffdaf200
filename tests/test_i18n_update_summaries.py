"""Progress update summaries in several languages (docs/i18n.md, "Content translation"): edited
in the admin beside their statuses, shown on the pages and in the feed in the page's language or
else the source marked with its `lang`, served by the API with their language and status (and
recorded with their source language when posted), carried by the data package and kept by a
backup and its restore."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests.admin_forms import EMPTY_EVIDENCE_FORMSET
from tests.openapi_validation import spec
from tracker import backup, services
from tracker.http import cache
from tracker.models import ProgressUpdate, Recommendation, Status
from tracker.models.translations import LANGUAGES, TranslationStatus, missing_translation

API = "/api/v1"
ENGLISH = "Two migrant resource centres opened in Dakar"
FRENCH = "Deux centres de ressources pour les migrants ouverts à Dakar"
ARABIC = "افتتاح مركزين لموارد المهاجرين في داكار"
COLUMN_LANGS = [code.replace("-", "_") for code in LANGUAGES]

pytestmark = pytest.mark.usefixtures("api_fast_passwords")


@pytest.fixture(autouse=True)
def fresh_response_cache(api_fresh_cache):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def recommendation(make_recommendation):
    return make_recommendation(code="GFMD-2007-RT1-03", text="Establish migrant resource centres")


@pytest.fixture
def update(recommendation, actor_a, make_update):
    """An approved update written in English, with a reviewed French and a machine-made Arabic
    translation of its summary and nothing in the other languages."""
    return make_update(
        recommendation,
        actor_a,
        status=Status.IN_PROGRESS,
        summary=ENGLISH,
        summary_fr=FRENCH,
        translation_status_fr=TranslationStatus.REVIEWED,
        summary_ar=ARABIC,
        translation_status_ar=TranslationStatus.MACHINE,
    )


# The admin: the summary's translations beside their statuses, what is left to translate


def test_the_change_form_puts_each_languages_summary_beside_its_status(client, secretariat_user, update):
    client.force_login(secretariat_user)
    form = client.get(reverse("admin:tracker_progressupdate_change", args=[update.pk])).content.decode()
    for lang in ("ar", "es", "fr", "ru", "zh_hans"):
        # One row of the "Translations" fieldset: the text and its status side by side.
        assert f'class="form-row field-summary_{lang} field-translation_status_{lang}"' in form, lang
    assert 'name="summary_en"' not in form  # the source language's text is `summary` itself
    assert 'name="source_lang"' in form


def test_the_secretariat_adds_a_translation_to_an_approved_update_and_the_history_says_so(
    client, secretariat_user, update
):
    client.force_login(secretariat_user)
    url = reverse("admin:tracker_progressupdate_change", args=[update.pk])
    data = {
        "status": update.status,
        "reported_on": update.reported_on.isoformat(),
        "summary": ENGLISH,
        "evidence_url": "",
        "source_document": "",
        "edit_version": update.version,
        "source_lang": "en",
        "summary_fr": FRENCH,
        "translation_status_fr": "reviewed",
        "summary_ar": ARABIC,
        "translation_status_ar": "machine",
        "summary_es": "Dos centros de recursos para migrantes abiertos en Dakar",
        "translation_status_es": "official",
        **EMPTY_EVIDENCE_FORMSET,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = ProgressUpdate.objects.get(pk=update.pk)
    assert (stored.summary_es, stored.translation_status_es) == (data["summary_es"], "official")
    assert (stored.summary, stored.summary_en, stored.review_state) == (ENGLISH, None, "approved")
    assert stored.version == update.version + 1
    entry = LogEntry.objects.filter(object_id=str(update.pk)).latest("action_time")
    assert "Translation status [es]" in entry.get_change_message()


def test_the_update_list_shows_and_filters_what_is_missing_per_language(
    client, secretariat_user, update, recommendation, actor_b, make_update
):
    untranslated = make_update(recommendation, actor_b, summary="Nothing translated")
    assert set(ProgressUpdate.objects.filter(missing_translation(ProgressUpdate, "fr"))) == {untranslated}
    client.force_login(secretariat_user)
    changelist = reverse("admin:tracker_progressupdate_changelist")
    page = client.get(changelist, {"missing_translation": "fr"})
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [untranslated]
    assert "Missing translation: French" in page.content.decode()
    # No translations column: the list must fit 1280 px with the review column
    # (tests/browser/test_staff_loop.py); each update's states are on its form and review page.
    everything = client.get(changelist).content.decode()
    assert "field-translation_completeness" not in everything


def test_the_review_page_shows_the_translations_with_their_status_and_lang(
    client, secretariat_user, recommendation, focal_a, actor_a
):
    submitted = services.record_progress(
        recommendation, user=focal_a, actor=actor_a, status=Status.IN_PROGRESS, summary=ENGLISH
    )
    ProgressUpdate.objects.filter(pk=submitted.pk).update(summary_fr=FRENCH, translation_status_fr="reviewed")
    client.force_login(secretariat_user)
    html = client.get(f"/fr/admin/tracker/progressupdate/{submitted.pk}/review/").content.decode()
    assert f'<dd lang="en" dir="ltr">{ENGLISH}</dd>' in html
    assert f'<span lang="fr" dir="ltr">{FRENCH}</span>' in html
    assert "(révisée)" in html  # the status, in the page's language
    with translation.override("fr"):
        assert f'<a href="{reverse("admin:tracker_progressupdate_change", args=[submitted.pk])}">' in html


# The pages and the feed


def test_the_recommendation_page_shows_the_summary_in_the_page_language_else_the_source_with_its_lang(
    client, update, recommendation
):
    french = client.get(f"/fr/recommendations/{recommendation.code}/").content.decode()
    assert f'<span lang="fr" dir="ltr">{FRENCH}</span> <small class="translation-label translation-reviewed">' in french
    russian = client.get(f"/ru/recommendations/{recommendation.code}/").content.decode()
    assert f'<span lang="en" dir="ltr">{ENGLISH}</span>' in russian
    assert FRENCH not in russian
    arabic = client.get(f"/ar/recommendations/{recommendation.code}/").content.decode()
    assert f'<span lang="ar" dir="rtl">{ARABIC}</span>' in arabic
    assert "translation-machine" in arabic
    english = client.get(f"/recommendations/{recommendation.code}/").content.decode()
    assert f'<p class="update-summary">{ENGLISH}</p>' in english
    assert 'lang="en" dir="ltr">' + ENGLISH not in english


def test_the_dashboard_and_the_actor_page_show_the_translated_summary(client, update, actor_a):
    dashboard = client.get("/fr/").content.decode()
    assert f'<span lang="fr" dir="ltr">{FRENCH}</span>' in dashboard
    actor_page = client.get(f"/ru/actors/{actor_a.slug}/").content.decode()
    assert f'<span lang="en" dir="ltr">{ENGLISH}</span>' in actor_page


def test_the_feed_gives_the_summary_in_its_language_else_the_source_marked(client, update):
    french = client.get("/fr/feeds/updates/").content.decode()
    assert f"&lt;p&gt;{FRENCH}&lt;/p&gt;" in french
    russian = client.get("/ru/feeds/updates/").content.decode()
    assert f'&lt;p lang="en" dir="ltr"&gt;{ENGLISH}&lt;/p&gt;' in russian
    assert FRENCH not in russian


# The API


@pytest.fixture
def anon(api_client_for):
    return api_client_for(None)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ({"lang": "fr"}, (FRENCH, "fr", "reviewed")),
        ({"lang": "ar"}, (ARABIC, "ar", "machine")),
        ({"lang": "ru"}, (ENGLISH, "en", "source")),
        ({}, (ENGLISH, "en", "source")),
    ],
)
def test_the_api_serves_the_summary_in_the_asked_language_with_the_source(anon, update, asked, expected):
    body = anon.get(f"{API}/updates/{update.pk}/", asked).json()
    assert (body["summary"], body["summary_lang"], body["summary_status"]) == expected
    assert (body["source_summary"], body["source_lang"]) == (ENGLISH, "en")


def test_the_api_list_follows_accept_language(anon, update):
    row = anon.get(f"{API}/updates/", HTTP_ACCEPT_LANGUAGE="ar, fr;q=0.5").json()["results"][0]
    assert (row["summary"], row["summary_lang"], row["summary_status"]) == (ARABIC, "ar", "machine")


def test_the_schema_describes_the_five_summary_fields_and_the_posted_source_language():
    schemas = spec()[0]["components"]["schemas"]
    update = schemas["ProgressUpdate"]
    assert {"summary", "summary_lang", "summary_status", "source_summary", "source_lang"} <= set(update["required"])
    assert update["properties"]["summary_lang"]["allOf"] == [{"$ref": "#/components/schemas/ContentLanguageEnum"}]
    assert update["properties"]["summary_status"]["allOf"] == [
        {"$ref": "#/components/schemas/ServedTranslationStatusEnum"}
    ]
    assert schemas["ProgressUpdateCreate"]["properties"]["source_lang"]["allOf"] == [
        {"$ref": "#/components/schemas/ContentLanguageEnum"}
    ]


def test_a_posted_update_records_the_language_it_was_written_in(api_client_for, focal_a, recommendation):
    client = api_client_for(focal_a)
    body = {"recommendation": recommendation.code, "status": "in_progress", "summary": FRENCH}
    response = client.post(f"{API}/updates/", body, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert (answer["summary"], answer["summary_lang"], answer["summary_status"]) == (FRENCH, "fr", "source")
    stored = ProgressUpdate.objects.get(pk=answer["id"])
    assert (stored.source_lang, stored.summary, stored.summary_fr) == ("fr", FRENCH, None)

    explicit = client.post(
        f"{API}/updates/", body | {"summary": ARABIC, "source_lang": "ar"}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert explicit.status_code == 201, explicit.json()
    assert ProgressUpdate.objects.get(pk=explicit.json()["id"]).source_lang == "ar"
    assert explicit.json()["source_lang"] == "ar"

    english = client.post(f"{API}/updates/", body | {"summary": ENGLISH}, format="json")
    assert ProgressUpdate.objects.get(pk=english.json()["id"]).source_lang == "en"  # no language asked: English
    refused = client.post(f"{API}/updates/", body | {"source_lang": "de"}, format="json")
    assert refused.status_code == 400 and "source_lang" in refused.json()["errors"]


def test_a_revision_may_change_the_summarys_language(api_client_for, focal_a, recommendation, actor_a):
    submitted = services.record_progress(
        recommendation, user=focal_a, actor=actor_a, status=Status.IN_PROGRESS, summary="Centros abiertos."
    )
    assert submitted.source_lang == "en"  # recorded without a language: English
    client = api_client_for(focal_a)
    tag = client.get(f"{API}/updates/{submitted.pk}/")["ETag"]
    response = client.patch(f"{API}/updates/{submitted.pk}/", {"source_lang": "es"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.json()
    assert (response.json()["source_lang"], response.json()["summary_lang"]) == ("es", "es")
    assert ProgressUpdate.objects.get(pk=submitted.pk).source_lang == "es"


# The data package and the backup


def test_the_data_package_carries_and_describes_every_language_of_the_summaries(client, update):
    response = client.get("/data/progress_updates.csv")
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    translations = [
        "source_lang",
        *(f"summary_{c}" for c in COLUMN_LANGS),
        *(f"translation_status_{c}" for c in COLUMN_LANGS),
    ]
    assert reader.fieldnames[-14:] == [*translations, "api_url"]
    (row,) = list(reader)
    assert (row["summary"], row["source_lang"]) == (ENGLISH, "en")
    assert (row["summary_fr"], row["translation_status_fr"]) == (FRENCH, "reviewed")
    assert (row["summary_ar"], row["translation_status_ar"]) == (ARABIC, "machine")
    assert row["summary_en"] == row["translation_status_en"] == row["summary_ru"] == ""

    descriptor = client.get("/data/datapackage.json").json()
    fields = {
        field["name"]: field
        for resource in descriptor["resources"]
        if resource["name"] == "progress_updates"
        for field in resource["schema"]["fields"]
    }
    assert [name for name in fields if name in translations] == translations
    assert fields["summary_fr"]["description"].startswith("`summary` in French")
    assert fields["translation_status_ar"]["constraints"]["enum"] == ["", "official", "reviewed", "machine"]
    assert fields["source_lang"]["constraints"]["enum"] == list(LANGUAGES)


def test_a_backup_and_its_restore_keep_every_language_of_the_summaries(update, tmp_path):
    before = backup.table_hashes()
    path = tmp_path / "tracker.json.gz"
    call_command("backup_data", str(path), stdout=io.StringIO())
    ProgressUpdate.objects.filter(pk=update.pk).update(summary_fr=None, translation_status_fr="", source_lang="fr")
    assert backup.table_hashes() != before

    out = io.StringIO()
    call_command("restore_data", str(path), "--force", stdout=out)
    assert "Every table matches the backup" in out.getvalue()
    assert backup.table_hashes() == before
    restored = ProgressUpdate.objects.get(pk=update.pk)
    assert (restored.source_lang, restored.summary) == ("en", ENGLISH)
    assert (restored.summary_fr, restored.translation_status_fr) == (FRENCH, "reviewed")
    assert (restored.summary_ar, restored.translation_status_ar) == (ARABIC, "machine")


# Written on a page in another language


def test_an_update_recorded_on_a_french_page_is_french_and_keeps_its_summary_as_the_source(
    secretariat_user, recommendation, actor_a
):
    with translation.override("fr"):
        update = services.record_progress(
            recommendation, user=secretariat_user, actor=actor_a, status=Status.IN_PROGRESS, summary=FRENCH
        )
    stored = ProgressUpdate.objects.filter(pk=update.pk).values_list("source_lang", "summary", "summary_fr").get()
    assert stored == ("fr", FRENCH, None)
    assert Recommendation.objects.get(pk=recommendation.pk).status == Status.IN_PROGRESS
