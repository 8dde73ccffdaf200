"""Search within the reader's language (docs/i18n.md, "Search"): a reader in a language finds a
record by what the page shows in that language (its translation where it has one, else the text
as written) and not by the words of another language's text; theme names likewise."""

import importlib
from types import SimpleNamespace

import pytest
import snowballstemmer
from django.apps import apps
from django.db import connection

from tracker.models import Recommendation
from tracker.models.search import refresh_search_text
from tracker.text import STEMMERS, stem_form

API = "/api/v1"


@pytest.fixture
def records(make_recommendation, make_theme):
    """One record translated into French (text and its theme's name), one left in English."""
    theme = make_theme(name="Labour mobility")
    theme.name_fr = "Circulation de la main-d'œuvre"
    theme.save()
    translated = make_recommendation(code="GFMD-2010-RT1-01", text="Protect domestic workers abroad")
    translated.text_fr = "Protéger les travailleurs domestiques à l'étranger"
    translated.save()
    translated.themes.add(theme)
    english = make_recommendation(code="GFMD-2010-RT1-02", text="Protect seasonal workers abroad")
    return SimpleNamespace(translated=translated, english=english, theme=theme)


def api_search(client, words, lang):
    response = client.get(f"{API}/recommendations/", {"search": words, "lang": lang})
    assert response.status_code == 200, response.content[:500]
    return sorted(row["code"] for row in response.json()["results"])


def page_search(client, words, prefix):
    response = client.get(f"{prefix}/recommendations/", {"search": words})
    assert response.status_code == 200
    html = response.content.decode()
    return sorted(code for code in ("GFMD-2010-RT1-01", "GFMD-2010-RT1-02") if f"/recommendations/{code}/" in html)


def test_a_french_reader_finds_the_french_text_not_the_english_words_it_replaces(client, records):
    # "workers" is only in the English source of the translated record (and the untranslated one).
    assert api_search(client, "workers", "fr") == ["GFMD-2010-RT1-02"]
    assert api_search(client, "domestic workers", "fr") == []
    assert api_search(client, "travailleurs domestiques", "fr") == ["GFMD-2010-RT1-01"]
    assert api_search(client, "domestic workers", "en") == ["GFMD-2010-RT1-01"]
    assert api_search(client, "travailleurs", "en") == []  # French words are not the English reader's


def test_a_record_without_a_translation_is_found_by_the_text_the_page_shows_instead(client, records):
    # The French page shows the English text of the untranslated record: French search finds it.
    assert api_search(client, "seasonal", "fr") == ["GFMD-2010-RT1-02"]
    assert api_search(client, "protect", "fr") == ["GFMD-2010-RT1-02"]
    assert api_search(client, "protect", "en") == ["GFMD-2010-RT1-01", "GFMD-2010-RT1-02"]


def test_theme_names_are_searched_in_the_readers_language(client, records):
    assert api_search(client, "circulation", "fr") == ["GFMD-2010-RT1-01"]
    assert api_search(client, "circulation", "en") == []
    assert api_search(client, "labour", "en") == ["GFMD-2010-RT1-01"]
    assert api_search(client, "labour", "fr") == []
    # A language the theme and text have no translation into reads them as written.
    assert api_search(client, "labour", "es") == ["GFMD-2010-RT1-01"]


def test_the_pages_search_in_their_own_language(client, records):
    assert page_search(client, "travailleurs", "/fr") == ["GFMD-2010-RT1-01"]
    assert page_search(client, "domestic workers", "/fr") == []
    assert page_search(client, "domestic workers", "") == ["GFMD-2010-RT1-01"]
    assert page_search(client, "travailleurs", "") == []


def test_an_untranslated_record_stores_one_document(records):
    english = Recommendation.objects.get(pk=records.english.pk)
    assert english.search_text.startswith("gfmd-2010-rt1-02\nprotect seasonal workers abroad")
    assert [english.search_text_en, english.search_text_fr, english.search_text_zh_hans] == ["", "", ""]
    translated = Recommendation.objects.get(pk=records.translated.pk)
    assert "travailleurs" in translated.search_text_fr and "workers" not in translated.search_text_fr
    assert translated.search_text_es == ""  # nothing of it is in Spanish
    assert "travailleurs" not in translated.search_text  # the column as written holds no translation


def test_a_theme_translated_later_changes_its_recommendations_columns(client, records):
    records.theme.name_es = "Movilidad laboral"
    records.theme.save()
    assert api_search(client, "movilidad", "es") == ["GFMD-2010-RT1-01"]
    assert api_search(client, "labour", "es") == []
    records.theme.name_es = ""
    records.theme.save()
    assert api_search(client, "labour", "es") == ["GFMD-2010-RT1-01"]


def test_a_translation_saved_alone_updates_its_languages_column(client, records):
    records.english.text_ru = "Защищать сезонных работников за рубежом"
    records.english.save(update_fields=["text_ru"])
    assert api_search(client, "сезонных", "ru") == ["GFMD-2010-RT1-02"]
    assert api_search(client, "seasonal", "ru") == []


def test_refresh_and_the_migration_compute_what_a_save_does(records):
    saved = dict(Recommendation.objects.values_list("pk", "search_text_fr"))
    Recommendation.objects.update(search_text="", search_text_fr="stale")
    migration = importlib.import_module("tracker.migrations.0023_search_text_languages")
    migration.recompute(apps, SimpleNamespace(connection=connection))
    assert dict(Recommendation.objects.values_list("pk", "search_text_fr")) == saved
    assert refresh_search_text(Recommendation.objects.all()) == 0
    Recommendation.objects.update(search_text_fr="stale")
    assert refresh_search_text(Recommendation.objects.all()) == 2
    assert dict(Recommendation.objects.values_list("pk", "search_text_fr")) == saved


@pytest.mark.parametrize("lang", sorted(STEMMERS))
def test_a_number_in_ascii_digits_is_its_own_stem_and_other_digits_are_stemmed(lang):
    """`stem_form` passes numbers in ASCII digits by (a code's numbers would fill the stems' cache):
    each algorithm's own stem of them is the number itself, and digits of other scripts still go
    through the stemmer (Arabic's writes Arabic-Indic digits in ASCII)."""
    stemmer = snowballstemmer.stemmer(STEMMERS[lang])
    numbers = ["0", "01", "2007", "000123", "1234567890", *(str(n) for n in range(0, 10**6, 997))]
    assert [stemmer.stemWord(number) for number in numbers] == numbers
    assert stem_form("gfmd-2007-rt1-02 000123", lang) == "gfmd-2007-rt1-02 000123"
    arabic_indic = "\u0662\u0660\u0660\u0667"  # ٢٠٠٧
    assert stem_form(arabic_indic, lang) == stemmer.stemWord(arabic_indic)
    if lang == "ar":
        assert stem_form(arabic_indic, lang) == "2007"
