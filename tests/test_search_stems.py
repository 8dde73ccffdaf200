"""Search matches word forms and theme names, the same on SQLite and PostgreSQL.

`Recommendation.search_text` holds the folded code, text and theme names and their Snowball
English stems (`tracker.text.search_document`); a query word matches when its folded form or its
stem occurs in it (`tracker.filters.RecommendationFilterSet.filter_search`). Every write path keeps
the theme names in it current: a save, links changed from either side (admin form, bulk tagging,
import, `loaddata`), a theme renamed (admin) or deleted; the API's writes keep it as it was
(tests/test_search_column.py; here, loading the seed again). The seed is loaded once for this
module (tests/conftest.py `seed`).

Run on both databases (`.ci/run` does): the pinned result sets below are the same literal lists
on each, and `test_the_database_finds_what_python_finds_for_every_word_of_the_seed` compares the
database's answer with the same matching done in Python for every word of the seed, so SQLite
and PostgreSQL give the same result sets as each other.
"""

import pytest
from django.core.management import call_command

from tracker.models import Recommendation, Theme
from tracker.text import search_document, search_terms

API = "/api/v1"
REMITTANCES = ["GFMD-2007-RT1-03", "GFMD-2007-RT2-01", "GFMD-2007-RT2-02", "GFMD-2007-RT2-03"]


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


def test_loading_the_seed_again_keeps_the_theme_names(client, seed, settings):
    before = dict(Recommendation.objects.values_list("code", "search_text"))
    fixtures = sorted(str(path) for path in (settings.BASE_DIR / "fixtures").glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)
    assert dict(Recommendation.objects.values_list("code", "search_text")) == before
    assert found(client, "remittance") == REMITTANCES
