"""Search folds case, accents, Arabic harakat and tatweel the same way on SQLite and PostgreSQL,
on every answer of the shared RecommendationFilterSet: the browse page (`q` and `search`), the
API list, the summaries and the CSV and JSON exports. It compares the words, folded by
`tracker.text.search_form`, against `Recommendation.search_text`, which every write path keeps
in step with the code, the text and the theme names (tests/test_search_column.py; word forms:
tests/test_search_stems.py)."""

import csv
import io
import json
from types import SimpleNamespace

import pytest

from tracker import importing
from tracker.models import Recommendation
from tracker.text import search_document, search_form

API = "/api/v1"

# The row of shared case hardening/newline_arabic_text.csv, as a file exported by the site and
# edited by hand: a text with a line break, quotes, an accented French word and Arabic.
CASE_CSV = (
    "code,kind,status,status_label,text,process,forum,forum_title,roundtable,roundtable_title,themes,actors,"
    "objectives,source_document,source_locator,target_date,last_update,url\r\n"
    'TEST-NL-01,finding,no_information,No information,"Ligne 1\nLigne 2, ""citée""\r\nالهجرة والتنمية",gcim,'
    "gcim-2005-report,GCIM report: Migration in an Interconnected World: New Directions for Action,,,Development,,"
    "GCM 19; SDG 10.7,Current Priorities in Intergovernmental Dialogues on Labour Migration,"
    "slide: Global Commission on International Migration (The GCIM report highlighted),,,"
    "http://127.0.0.1:8311/recommendations/GCIM-2005-FND-01/\r\n"
)
SPANISH = "Promover la migración circular y la cooperación entre países de origen y destino"


@pytest.fixture
def searchable(seed, tmp_path, make_user, make_recommendation):
    """The seed (loaded once for the module, tests/conftest.py), the case row imported by the
    secretariat, and one Spanish recommendation."""
    from tracker import roles
    from tracker.models import Actor

    secretariat = make_user(
        "secretariat", groups=[roles.SECRETARIAT], actor=Actor.objects.filter(kind="secretariat").first()
    )
    path = tmp_path / "newline_arabic_text.csv"
    path.write_text(CASE_CSV, encoding="utf-8", newline="")
    report = importing.import_recommendations(importing.load_dataset(path), user=secretariat)
    assert (report.errors, report.new) == ([], 1)
    spanish = make_recommendation(code="TEST-ES-01", text=SPANISH)
    return SimpleNamespace(case=Recommendation.objects.get(code="TEST-NL-01"), spanish=spanish)


def page_codes(client, name, word):
    response = client.get("/recommendations/", {name: word})
    assert response.status_code == 200
    return [rec.code for rec in response.context["page"].object_list]


def api_codes(client, word):
    response = client.get(f"{API}/recommendations/", {"search": word, "page_size": 1000})
    assert response.status_code == 200, response.content[:2000]
    return [row["code"] for row in response.json()["results"]]


def summary_total(client, path, word):
    response = client.get(f"{API}{path}", {"search": word})
    assert response.status_code == 200, response.content[:2000]
    return response.json()["total"]


def export_codes(client, word, output):
    response = client.get("/recommendations/", {"q": word, "format": output})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # the CSV starts with a BOM
    if output == "csv":
        return [row["code"] for row in csv.DictReader(io.StringIO(body))]
    return [row["code"] for row in json.loads(body)]


def found_everywhere(client, anon, word):
    """The codes `word` finds, the same on every answer (asserted), as one list."""
    found = page_codes(client, "q", word)
    assert page_codes(client, "search", word) == found
    assert api_codes(anon, word) == found
    assert summary_total(anon, "/recommendations/summary/", word) == len(found)
    assert summary_total(anon, "/summary/", word) == len(found)
    assert export_codes(client, word, "csv") == found
    assert export_codes(client, word, "json") == found
    return found


@pytest.fixture
def anon(api_client_for):
    return api_client_for(None)


@pytest.mark.parametrize(
    "word",
    [
        "citée",
        "CITÉE",
        "citee",
        "Citee",
        "CITEE",
        "الهجرة",
        "الهِجْرَة",  # harakat added
        "الهجـرة",  # tatweel added
        "والتنمية",
        "LIGNE",
        "lIgNe",
        "test-nl-01",
        "ligne CITÉE الهِجْرَة",
    ],
)
def test_a_word_in_another_case_without_accents_or_with_harakat_finds_the_text(client, anon, searchable, word):
    assert found_everywhere(client, anon, word) == ["TEST-NL-01"]


# "migraciones" too: its stem is that of "migración" (word forms match, tests/test_search_stems.py).
@pytest.mark.parametrize(
    "word", ["migración", "MIGRACION", "Migracion", "COOPERACIÓN", "paises", "PAÍSES", "migraciones"]
)
def test_spanish_words_fold_alike(client, anon, searchable, word):
    assert found_everywhere(client, anon, word) == ["TEST-ES-01"]


@pytest.mark.parametrize("words", ["absent", "citée absent", "الهجرةx", "emigraciones"])
def test_a_word_absent_from_every_text_finds_nothing(client, anon, searchable, words):
    assert found_everywhere(client, anon, words) == []


def test_ascii_words_in_another_case_find_seed_items_as_before(client, anon, searchable):
    expected = page_codes(client, "q", "ethical recruitment")
    assert expected  # the seed has it
    assert found_everywhere(client, anon, "ETHICAL Recruitment") == expected
    assert found_everywhere(client, anon, "gfmd-2007-rt1-02") == ["GFMD-2007-RT1-02"]


def test_only_the_first_ten_words_count(client, anon, searchable):
    assert found_everywhere(client, anon, "citee " * 10 + "absent") == ["TEST-NL-01"]
    assert found_everywhere(client, anon, "citee " * 9 + "absent") == []


def test_every_loaded_and_imported_row_has_its_search_text(searchable):
    assert not Recommendation.objects.filter(search_text="").exists()
    for rec in Recommendation.objects.prefetch_related("themes"):
        names = [theme.name for theme in rec.themes.all()]
        assert rec.search_text == search_document(rec.code, rec.text, *names)
        assert rec.search_text.startswith(f"{search_form(rec.code)}\n{search_form(rec.text)}\n")
    assert "citee" in searchable.case.search_text
    assert "الهجره والتنميه" in searchable.case.search_text  # ta marbuta folded to ha (docs/i18n.md, "Search")
