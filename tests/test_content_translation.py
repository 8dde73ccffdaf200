"""Content in several languages (docs/i18n.md, "Content translation"): translations per language
with their status, the fallback to the source marked with its `lang`, the API's language
negotiation and fields, the seed's objective titles, and what is left to translate."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from tracker.models import FrameworkObjective, Recommendation
from tracker.models.translations import LANGUAGES, TranslationStatus, localize, missing_translation

API = "/api/v1"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "02_framework_objectives.json"
COLUMN_LANGS = [code.replace("-", "_") for code in LANGUAGES]


def render(template, **context):
    return Template("{% load content_tags %}" + template).render(Context(context))


@pytest.fixture
def translated(make_recommendation):
    """A recommendation with a reviewed French translation and nothing in the other languages."""
    recommendation = make_recommendation(code="GFMD-2007-RT1-01", text="Reduce the costs of remittances")
    recommendation.text_fr = "Réduire les coûts des envois de fonds"
    recommendation.translation_status_fr = TranslationStatus.REVIEWED
    recommendation.save()
    return recommendation


def test_a_page_in_a_language_with_a_translation_shows_it_with_its_status(translated):
    with translation.override("fr"):
        html = render('{% localized rec "text" %}', rec=translated)
    assert '<span lang="fr" dir="ltr">Réduire les coûts des envois de fonds</span>' in html
    assert "translation-reviewed" in html
    assert "Reduce" not in html


def test_a_missing_translation_falls_back_to_the_source_marked_with_its_lang(translated):
    with translation.override("ru"):
        html = render('{% localized rec "text" %}', rec=translated)
    assert html == '<span lang="en" dir="ltr">Reduce the costs of remittances</span>'


def test_the_source_language_page_shows_the_text_alone(translated):
    with translation.override("en"):
        assert render('{% localized rec "text" %}', rec=translated) == "Reduce the costs of remittances"


def test_a_machine_translation_is_labelled_as_such_and_chinese_gets_its_bcp47_tag(translated):
    translated.text_zh_hans = "降低汇款成本"
    translated.translation_status_zh_hans = ""  # no status: counts as machine-made, never as official
    translated.save()
    with translation.override("zh-hans"):
        html = render('{% localized rec "text" %}', rec=translated)
    assert '<span lang="zh-Hans" dir="ltr">降低汇款成本</span>' in html
    assert 'class="translation-label translation-machine"' in html


def test_arabic_text_on_an_english_page_runs_right_to_left(translated):
    translated.text_ar = "خفض تكاليف التحويلات"
    translated.save()
    shown = localize(translated, "text", "ar")
    assert (shown.value, shown.lang, shown.status) == ("خفض تكاليف التحويلات", "ar", TranslationStatus.MACHINE)
    with translation.override("ar"):
        assert 'lang="ar" dir="rtl"' in render('{% localized rec "text" %}', rec=translated)


def test_saving_in_another_language_keeps_the_source_column_in_the_source_language(translated):
    with translation.override("fr"):
        recommendation = Recommendation.objects.get(pk=translated.pk)
        recommendation.save()
    stored = Recommendation.objects.filter(pk=translated.pk).values_list("text", "text_en", "text_fr").get()
    assert stored == ("Reduce the costs of remittances", None, "Réduire les coûts des envois de fonds")


def test_what_is_left_to_translate_is_filterable_per_language(translated, make_recommendation):
    untranslated = make_recommendation(text="Establish migrant resource centres")
    missing_fr = set(Recommendation.objects.filter(missing_translation(Recommendation, "fr")))
    missing_es = set(Recommendation.objects.filter(missing_translation(Recommendation, "es")))
    assert missing_fr == {untranslated}
    assert missing_es == {translated, untranslated}
    assert not Recommendation.objects.filter(missing_translation(Recommendation, "en")).exists()
    assert translated.translation_state("fr") == (1, 1)
    assert untranslated.translation_state("fr") == (0, 1)


# The API


@pytest.fixture
def anon(api_client_for):
    return api_client_for(None)


def test_the_api_serves_the_language_asked_for_with_lang(anon, translated):
    body = anon.get(f"{API}/recommendations/{translated.code}/", {"lang": "fr"}).json()
    assert body["text"] == "Réduire les coûts des envois de fonds"
    assert (body["text_lang"], body["text_status"]) == ("fr", "reviewed")
    assert (body["source_text"], body["source_lang"]) == ("Reduce the costs of remittances", "en")


def test_the_api_follows_accept_language_when_lang_is_not_given(anon, translated):
    response = anon.get(f"{API}/recommendations/", HTTP_ACCEPT_LANGUAGE="de;q=1, fr-CA;q=0.8, en;q=0.5")
    assert "Accept-Language" in response["Vary"]
    row = response.json()["results"][0]
    assert (row["text"], row["text_lang"]) == ("Réduire les coûts des envois de fonds", "fr")


def test_the_api_defaults_to_english_and_a_missing_translation_to_the_source(anon, translated):
    default = anon.get(f"{API}/recommendations/{translated.code}/").json()
    assert (default["text"], default["text_lang"], default["text_status"]) == (
        "Reduce the costs of remittances",
        "en",
        "source",
    )
    russian = anon.get(f"{API}/recommendations/{translated.code}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert (russian["text"], russian["text_lang"], russian["text_status"]) == (
        "Reduce the costs of remittances",
        "en",
        "source",
    )


def test_an_unknown_lang_is_a_400_naming_the_languages(anon, translated):
    response = anon.get(f"{API}/recommendations/", {"lang": "xx"})
    assert response.status_code == 400
    message = response.json()["errors"]["lang"][0]
    assert "'xx'" in message and all(code in message for code in LANGUAGES)


def test_chinese_is_accepted_as_zh(anon, translated):
    translated.text_zh_hans = "降低汇款成本"
    translated.save()
    body = anon.get(f"{API}/recommendations/{translated.code}/", {"lang": "zh"}).json()
    assert (body["text"], body["text_lang"], body["text_status"]) == ("降低汇款成本", "zh-hans", "machine")


@pytest.mark.django_db(transaction=True)  # the cache keeps nothing rendered inside a transaction
def test_cached_api_answers_are_kept_apart_per_language(anon, translated):
    first = anon.get(f"{API}/recommendations/{translated.code}/", HTTP_ACCEPT_LANGUAGE="fr")
    second = anon.get(f"{API}/recommendations/{translated.code}/", HTTP_ACCEPT_LANGUAGE="en")
    again = anon.get(f"{API}/recommendations/{translated.code}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert first.json()["text_lang"] == "fr" and second.json()["text_lang"] == "en"
    assert again["X-Cache"] == "hit" and again.json()["text_lang"] == "fr"
    assert first["ETag"] != second["ETag"]


def test_reference_resources_serve_names_and_titles_in_the_asked_language(anon, make_objective):
    objective = make_objective(slug="gcm-6", number="6", title="Facilitate fair and ethical recruitment")
    objective.title_es = "Facilitar la contratación equitativa y ética"
    objective.translation_status_es = TranslationStatus.MACHINE
    objective.save()
    body = anon.get(f"{API}/objectives/gcm-6/", {"lang": "es"}).json()
    assert (body["title"], body["title_lang"], body["title_status"]) == (
        "Facilitar la contratación equitativa y ética",
        "es",
        "machine",
    )
    assert body["source_title"] == "Facilitate fair and ethical recruitment"


@pytest.mark.django_db(transaction=True)  # PostgreSQL stamps change keys at commit
def test_a_translation_moves_the_change_key(translated):
    before = Recommendation.objects.values_list("change_key", flat=True).get(pk=translated.pk)
    Recommendation.objects.filter(pk=translated.pk).update(text_ru="Сократить расходы на денежные переводы")
    after = Recommendation.objects.values_list("change_key", flat=True).get(pk=translated.pk)
    assert after > before


# The seed


def test_the_seed_gives_every_framework_objective_a_title_in_the_six_languages(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    objectives = list(FrameworkObjective.objects.all())
    assert len(objectives) == 39
    for objective in objectives:
        assert objective.source_lang == "en"
        assert objective.title and not objective.title_en  # the field itself holds the source
        for lang in LANGUAGES:
            assert localize(objective, "title", lang).lang == lang, (objective.slug, lang)


def test_nothing_in_the_seed_is_presented_as_official(db):
    """No UN text in another language is at hand in the repository: every translation of the seed
    is machine-made, and says so."""
    call_command("loaddata", str(FIXTURE), verbosity=0)
    for objective in FrameworkObjective.objects.all():
        for lang in LANGUAGES:
            if lang != "en":
                assert localize(objective, "title", lang).status == TranslationStatus.MACHINE
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    statuses = {value for row in raw for key, value in row["fields"].items() if key.startswith("translation_status_")}
    assert statuses == {"machine"}


# The admin


def test_the_recommendation_list_filters_what_is_missing_in_french(
    client, secretariat_user, translated, make_recommendation
):
    untranslated = make_recommendation(text="Establish migrant resource centres")
    client.force_login(secretariat_user)
    page = client.get("/admin/tracker/recommendation/", {"missing_translation": "fr"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Missing translation: French" in html
    assert untranslated.code in html and translated.code not in html
    everything = client.get("/admin/tracker/recommendation/").content.decode()
    assert "translation-missing" in everything and "✓ reviewed" in everything


@pytest.mark.parametrize("path", ["process", "forum", "roundtable", "actor", "theme", "document", "frameworkobjective"])
def test_every_translated_model_admin_offers_the_missing_translation_filter(client, secretariat_user, path):
    client.force_login(secretariat_user)
    page = client.get(f"/admin/tracker/{path}/", {"missing_translation": "ar"})
    assert page.status_code == 200
    assert "Missing translation: Arabic" in page.content.decode()


def test_the_change_form_edits_every_language_beside_its_status_and_the_history_records_it(
    client, secretariat_user, make_objective
):
    from django.contrib.admin.models import LogEntry

    objective = make_objective(slug="gcm-6", number="6", title="Facilitate fair and ethical recruitment")
    client.force_login(secretariat_user)
    url = f"/admin/tracker/frameworkobjective/{objective.pk}/change/"
    form = client.get(url).content.decode()
    for lang in ("ar", "es", "fr", "ru", "zh_hans"):
        assert f'name="title_{lang}"' in form and f'name="translation_status_{lang}"' in form
    assert 'name="title_en"' not in form  # the source language is the field itself
    data = {
        "slug": "gcm-6",
        "framework": objective.framework,
        "number": "6",
        "title": "Facilitate fair and ethical recruitment",
        "order": "0",
        "source_lang": "en",
        "title_fr": "Favoriser des pratiques de recrutement justes et éthiques",
        "translation_status_fr": "reviewed",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    objective.refresh_from_db()
    assert (objective.title_fr, objective.translation_status_fr) == (data["title_fr"], "reviewed")
    assert objective.title == "Facilitate fair and ethical recruitment"
    entry = LogEntry.objects.filter(object_id=str(objective.pk)).latest("action_time")
    assert "Translation status [fr]" in entry.get_change_message()


def test_a_record_created_on_a_french_page_keeps_its_text_as_the_source(make_recommendation):
    with translation.override("fr"):
        recommendation = make_recommendation(text="Establish migrant resource centres")
    stored = Recommendation.objects.filter(pk=recommendation.pk).values_list("text", "text_en", "text_fr").get()
    assert stored == ("Establish migrant resource centres", None, None)


# Exports and the import


def test_the_csv_export_and_the_import_keep_every_language(client, translated, secretariat_user, tmp_path):
    translated.text_ar = "خفض تكاليف التحويلات"
    translated.translation_status_ar = TranslationStatus.MACHINE
    translated.text_zh_hans = "降低汇款成本"
    translated.save()
    response = client.get("/recommendations/", {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header = body.splitlines()[0].split(",")
    assert header[-13:] == [
        "source_lang",
        *(f"text_{c}" for c in COLUMN_LANGS),
        *(f"translation_status_{c}" for c in COLUMN_LANGS),
    ]
    path = tmp_path / "export.csv"
    path.write_text(body, encoding="utf-8")
    Recommendation.objects.filter(pk=translated.pk).update(
        text_fr=None, translation_status_fr="", text_ar=None, translation_status_ar="", text_zh_hans=None
    )
    out = io.StringIO()
    call_command("import_recommendations", str(path), "--user", secretariat_user.username, stdout=out)
    assert "1 changed" in out.getvalue()
    stored = Recommendation.objects.get(pk=translated.pk)
    assert (stored.text_fr, stored.translation_status_fr) == ("Réduire les coûts des envois de fonds", "reviewed")
    assert (stored.text_ar, stored.translation_status_ar) == ("خفض تكاليف التحويلات", "machine")
    assert stored.text_zh_hans == "降低汇款成本"
    assert (stored.text, stored.text_en, stored.text_es) == ("Reduce the costs of remittances", None, None)
    # Exported again, the file is the same: every language survived the round trip.
    again = b"".join(client.get("/recommendations/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert _without_volatile(again) == _without_volatile(body)


def _without_volatile(csv_text):
    """The rows without `updated_at` and `version`, which an import moves on."""
    import csv

    rows = list(csv.DictReader(io.StringIO(csv_text)))
    return [{k: v for k, v in row.items() if k not in ("updated_at", "version")} for row in rows]


def test_the_data_package_describes_the_translation_columns(client, translated):
    descriptor = client.get("/data/datapackage.json").json()
    tables = {resource["name"]: resource["schema"]["fields"] for resource in descriptor["resources"]}
    recommendation_fields = {field["name"]: field for field in tables["recommendations"]}
    assert recommendation_fields["text_fr"]["description"].startswith("`text` in French")
    assert recommendation_fields["translation_status_fr"]["constraints"]["enum"] == [
        "",
        "official",
        "reviewed",
        "machine",
    ]
    assert {"source_lang", "title_zh_hans", "translation_status_ar"} <= {
        field["name"] for field in tables["objectives"]
    }


# Search in each language


@pytest.fixture
def multilingual(make_recommendation):
    recommendation = make_recommendation(code="GFMD-2008-RT1-01", text="Establish migrant resource centres")
    recommendation.text_ru = "Создать ресурсные центры для мигрантов"
    recommendation.text_es = "Reducir el costo de las remesas"
    recommendation.text_ar = "تعزيز إدارة الهجرة"
    recommendation.text_zh_hans = "建立移民资源中心"
    recommendation.save()
    make_recommendation(code="GFMD-2008-RT1-02", text="Protect the rights of migrant workers")
    return recommendation


def searched(anon, words, lang):
    response = anon.get(f"{API}/recommendations/", {"search": words, "lang": lang})
    assert response.status_code == 200, response.content[:500]
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("words", "lang"),
    [
        ("мигранты", "ru"),  # another form of "мигрантов": found by the Russian stem alone
        ("remesa", "es"),  # "remesas"
        ("الهجره", "ar"),  # ta marbuta written as ha
        ("ادارة", "ar"),  # alef with hamza below written bare
        ("الهِجْرَة", "ar"),  # with harakat
        ("移民资源", "zh-hans"),  # Chinese: a substring, no stemming
    ],
)
def test_search_finds_a_translation_in_its_language(anon, multilingual, words, lang):
    assert searched(anon, words, lang) == ["GFMD-2008-RT1-01"]


def test_a_russian_form_is_found_by_the_russian_stem_only(anon, multilingual):
    assert searched(anon, "мигранты", "en") == []  # English stems leave Cyrillic alone
    assert searched(anon, "мигранты", "ru") == ["GFMD-2008-RT1-01"]


def test_a_translation_changed_later_changes_what_search_finds(anon, multilingual):
    multilingual.text_es = "Reducir el costo de los envíos de dinero"
    multilingual.save(update_fields=["text_es"])
    assert searched(anon, "remesa", "es") == []
    assert searched(anon, "envio", "es") == ["GFMD-2008-RT1-01"]


# The pages


def test_the_french_page_of_a_recommendation_shows_its_translation_and_the_english_fallbacks(
    client, translated, make_objective
):
    objective = make_objective(slug="gcm-20", number="20", title="Promote faster, safer and cheaper remittances")
    translated.objectives.add(objective)
    html = client.get(f"/fr/recommendations/{translated.code}/").content.decode()
    assert '<h1 class="rec-title"><span lang="fr" dir="ltr">Réduire les coûts des envois de fonds</span>' in html
    assert '<span lang="en" dir="ltr">Promote faster, safer and cheaper remittances</span>' in html
    english = client.get(f"/recommendations/{translated.code}/").content.decode()
    assert '<h1 class="rec-title">Reduce the costs of remittances</h1>' in english
