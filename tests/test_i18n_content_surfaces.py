"""Content in the asked language beyond the API's top-level fields (issue 17; docs/i18n.md,
"Content translation"): names nested in API resources, API error messages, Atom feeds and
e-mails. Each in French (translated) and Arabic (no translation: the source, marked with its
language where the format can mark it). Every API answer is validated against the schema
(tests/conftest.py)."""

import datetime

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from tracker.models import FollowUpAction, ProgressUpdate
from tracker.models.translations import TranslationStatus

API = "/api/v1"


def french(record, **columns):
    """Give `record` French translations (`title="..."` writes `title_fr`), reviewed."""
    for field, value in columns.items():
        setattr(record, f"{field}_fr", value)
    record.translation_status_fr = TranslationStatus.REVIEWED
    record.save()
    return record


@pytest.fixture
def world(
    make_process,
    make_forum,
    make_roundtable,
    make_theme,
    make_actor,
    make_objective,
    make_document,
    make_recommendation,
    make_update,
):
    """A recommendation whose process, forum, roundtable, theme, actor, objective and source
    document have French names and no Arabic ones; one approved update by the actor; one follow-up."""
    process = french(make_process(slug="gfmd", acronym="GFMD", name="Global Forum"), name="Forum mondial")
    forum = french(make_forum(slug="brussels", title="Brussels meeting", process=process), title="Réunion de Bruxelles")
    roundtable = french(make_roundtable(slug="rt1", title="Human capital", forum=forum), title="Capital humain")
    theme = french(make_theme(slug="remittances", name="Remittances"), name="Envois de fonds")
    actor = french(make_actor(slug="belgium", name="Belgium"), name="Belgique")
    objective = french(make_objective(slug="gcm-6", number="6", title="Fair recruitment"), title="Recrutement éthique")
    document = french(make_document(slug="report", title="Final report"), title="Rapport final")
    recommendation = make_recommendation(
        code="GFMD-2007-RT1-01",
        text="Reduce the costs of remittances",
        forum=forum,
        roundtable=roundtable,
        source_document=document,
        themes=[theme],
        actors=[actor],
        objectives=[objective],
    )
    french(recommendation, text="Réduire les coûts des envois de fonds")
    FollowUpAction.objects.create(recommendation=recommendation, forum=forum, document=document, description="x")
    update = make_update(recommendation, actor, summary="Done", evidence_url="https://example.org/e")
    return recommendation, update


@pytest.fixture
def anon(api_client_for):
    return api_client_for(None)


# 1. Names nested in API resources.


def _nested_names(body):
    return {
        "process": (body["process"]["name"], body["process"]["name_lang"]),
        "forum": (body["forum"]["name"], body["forum"]["name_lang"]),
        "roundtable": (body["roundtable"]["name"], body["roundtable"]["name_lang"]),
        "document": (body["source_document"]["name"], body["source_document"]["name_lang"]),
        "theme": [(item["name"], item["name_lang"]) for item in body["themes"]],
        "actor": [(item["name"], item["name_lang"]) for item in body["actors"]],
        "objective": [(item["title"], item["title_lang"]) for item in body["objectives"]],
    }


FRENCH_NAMES = {
    "process": ("Forum mondial", "fr"),
    "forum": ("Réunion de Bruxelles", "fr"),
    "roundtable": ("Capital humain", "fr"),
    "document": ("Rapport final", "fr"),
    "theme": [("Envois de fonds", "fr")],
    "actor": [("Belgique", "fr")],
    "objective": [("Recrutement éthique", "fr")],
}
SOURCE_NAMES = {
    "process": ("Global Forum", "en"),
    "forum": ("Brussels meeting", "en"),
    "roundtable": ("Human capital", "en"),
    "document": ("Final report", "en"),
    "theme": [("Remittances", "en")],
    "actor": [("Belgium", "en")],
    "objective": [("Fair recruitment", "en")],
}


def test_a_recommendations_nested_names_are_in_the_asked_language_in_the_list_and_the_detail(anon, world):
    recommendation, _update = world
    detail = anon.get(f"{API}/recommendations/{recommendation.code}/", {"lang": "fr"}).json()
    listed = anon.get(f"{API}/recommendations/", HTTP_ACCEPT_LANGUAGE="fr-FR").json()["results"][0]

    assert _nested_names(detail) == _nested_names(listed) == FRENCH_NAMES
    assert detail["follow_ups"][0]["forum"]["name"] == "Réunion de Bruxelles"
    assert detail["follow_ups"][0]["document"]["name_lang"] == "fr"
    assert detail["objectives"][0]["name"] == "GCM 6"  # a label, the same in every language


def test_a_missing_nested_translation_falls_back_to_the_source_with_its_language(anon, world):
    recommendation, _update = world
    arabic = anon.get(f"{API}/recommendations/{recommendation.code}/", HTTP_ACCEPT_LANGUAGE="ar").json()
    listed = anon.get(f"{API}/recommendations/", {"lang": "ar"}).json()["results"][0]
    english = anon.get(f"{API}/recommendations/{recommendation.code}/").json()

    assert _nested_names(arabic) == _nested_names(listed) == _nested_names(english) == SOURCE_NAMES
    assert arabic["follow_ups"][0]["forum"] == english["follow_ups"][0]["forum"] | {"name_lang": "en"}


def test_names_nested_in_updates_forums_and_roundtables_follow_the_asked_language(anon, world):
    _recommendation, update = world
    for lang, actor, process, forum in (
        ("fr", ("Belgique", "fr"), ("Forum mondial", "fr"), ("Réunion de Bruxelles", "fr")),
        ("ar", ("Belgium", "en"), ("Global Forum", "en"), ("Brussels meeting", "en")),
    ):
        body = anon.get(f"{API}/updates/{update.pk}/", {"lang": lang}).json()
        assert (body["actor"]["name"], body["actor"]["name_lang"]) == actor
        body = anon.get(f"{API}/forums/brussels/", {"lang": lang}).json()
        assert (body["process"]["name"], body["process"]["name_lang"]) == process
        assert body["documents"] == [] or body["documents"][0]["name_lang"] in (lang, "en")
        body = anon.get(f"{API}/roundtables/rt1/", {"lang": lang}).json()
        assert (body["forum"]["name"], body["forum"]["name_lang"]) == forum


def test_the_schema_says_nested_names_are_in_the_asked_language(anon):
    schema = anon.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    for brief, name in (
        ("ThemeBrief", "name"),
        ("ForumBrief", "name"),
        ("ObjectiveMapping", "title"),
        ("ActorBrief", "name"),
    ):
        properties = schema[brief]["properties"]
        assert "asked language" in properties[name]["description"], brief
        assert properties[f"{name}_lang"]["allOf"][0]["$ref"].endswith("/ContentLanguageEnum"), brief


def test_nested_names_add_no_query(anon, world):
    """The pinned counts are in tests/test_api_queries.py; here: the same in every language."""
    recommendation, update = world
    counts = {}
    for lang in ("en", "fr", "ar"):
        with CaptureQueriesContext(connection) as queries:
            anon.get(f"{API}/recommendations/{recommendation.code}/", {"lang": lang})
            anon.get(f"{API}/recommendations/", {"lang": lang})
            anon.get(f"{API}/updates/", {"lang": lang})
        counts[lang] = len(queries)
    assert counts["fr"] == counts["ar"] == counts["en"]


# 2. Error messages.


def _translated(language, message):
    with translation.override(language):
        return gettext(message)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_api_errors_are_in_the_asked_language_with_content_language(anon, world, language):
    not_found = anon.get(f"{API}/recommendations/NOPE/", HTTP_ACCEPT_LANGUAGE=language)
    unknown = anon.get(f"{API}/themes/", {"colour": "red", "lang": language})
    anonymous_write = anon.post(f"{API}/updates/", {}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    elsewhere = anon.get(f"{API}/nothing-here/", {"lang": language})
    not_allowed = anon.get(f"{API}/auth/token/", HTTP_ACCEPT_LANGUAGE=language)

    expected = _translated(language, "Not found.")
    assert expected != "Not found."  # DRF's own catalogue has the language
    assert not_found.status_code == 404 and not_found.json()["detail"] == expected
    assert elsewhere.status_code == 404 and elsewhere.json()["detail"] == expected
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == _translated(language, "Invalid input: %(names)s.") % {"names": "colour"}
    assert unknown.json()["errors"]["colour"][0].startswith(
        _translated(language, "Unknown parameter; this address reads: %(names)s.").split("%")[0]
    )
    assert anonymous_write.status_code == 401
    assert anonymous_write.json()["detail"] == _translated(language, "Authentication credentials were not provided.")
    assert not_allowed.status_code == 405
    assert not_allowed.json()["detail"] == _translated(language, 'Method "{method}" not allowed.').format(method="GET")
    for response in (not_found, unknown, anonymous_write, elsewhere, not_allowed):
        assert response["Content-Language"] == language


def test_an_unknown_lang_is_refused_in_the_accept_language_language(anon):
    response = anon.get(f"{API}/themes/", {"lang": "xx"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response["Content-Language"] == "fr"
    assert response.json()["errors"]["lang"][0].startswith("Langue inconnue 'xx'")


def test_api_errors_stay_english_without_a_language(anon):
    response = anon.get(f"{API}/recommendations/NOPE/")
    assert response.json()["detail"] == "Not found."
    assert response["Content-Language"] == "en"


# 3. Atom feeds.


def _feed(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return response.content.decode(), parsed


def test_a_french_feed_shows_the_french_text_and_names(client, world):
    raw, parsed = _feed(client, "/fr/feeds/updates/?theme=remittances")
    [entry] = parsed.entries
    assert 'xml:lang="fr"' in raw.split("<entry>", 1)[0]
    assert parsed.feed.title.endswith("Envois de fonds")
    assert "Belgique" in entry.title and entry.author == "Belgique"
    assert "<p>Réduire les coûts des envois de fonds</p>" in entry.summary
    assert "xml:lang" not in raw.split("<entry>", 1)[1]  # nothing falls back: nothing is marked


def test_an_arabic_feed_falls_back_to_the_source_marked_with_xml_lang_and_lang(client, world):
    raw, parsed = _feed(client, "/ar/feeds/updates/?actor=belgium")
    [entry] = parsed.entries
    assert 'xml:lang="ar"' in raw.split("<entry>", 1)[0]
    assert parsed.feed.title.endswith("Belgium")
    assert '<name xml:lang="en">Belgium</name>' in raw
    assert entry.author == "Belgium"
    assert '&lt;p lang="en" dir="ltr"&gt;Reduce the costs of remittances&lt;/p&gt;' in raw
    assert entry.summary.startswith('<p dir="ltr" lang="en">Reduce the costs of remittances</p>')


# 4. E-mails.


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("prefix", "name"),
    [("/fr", "Envois de fonds"), ("/ar", "Remittances"), ("", "Remittances")],
)
def test_a_follow_confirmation_names_the_page_in_the_language_it_was_asked_in(client, smtp, world, prefix, name):
    asked = client.post(
        f"{prefix}/follow/",
        {"url": f"{prefix}/themes/remittances/", "email": "ana@example.org", "frequency": "weekly"},
        REMOTE_ADDR="203.0.113.9",
    )

    assert asked.status_code == 303
    [message] = smtp.to("ana@example.org")
    assert message["Subject"].endswith(f": {name}")
    assert name in message.get_content()


@pytest.mark.django_db(transaction=True)
def test_a_digest_has_no_recorded_language_and_stays_english(smtp, world):
    from django.utils import timezone

    from tracker import follows
    from tracker.models import Follow

    _recommendation, update = world
    start = timezone.now() - datetime.timedelta(days=30)
    Follow.objects.create(
        email="ana@example.org", url="/themes/remittances/", confirmed_at=start, sent_through=start, frequency="daily"
    )
    ProgressUpdate.objects.filter(pk=update.pk).update(reviewed_at=timezone.now() - datetime.timedelta(days=2))

    with translation.override("fr"):  # whatever language is active when the digests go out
        assert follows.send_digests().sent == 1

    [message] = smtp.to("ana@example.org")
    body = message.get_content()
    assert "Theme: Remittances" in body and "Reduce the costs of remittances" in body and "Belgium ·" in body
