"""Every public page in the six languages of the interface: each answers under its language's
prefix with the right `lang` (and `dir` for Arabic), translated chrome, links that stay in the
language, the language switch and the `hreflang` alternates. One request per page and language, on
the seed data (fixtures/*.json) loaded once for the module."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from tracker import languages
from tracker.models import Actor, Document, Forum, Process, Recommendation, Theme

FIXTURES = sorted(str(path) for path in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))
CODES = ["ar", "en", "es", "fr", "ru", "zh-hans"]
TAGS = {"ar": "ar", "en": "en", "es": "es", "fr": "fr", "ru": "ru", "zh-hans": "zh-Hans"}
PREFIXES = {"ar": "/ar", "en": "", "es": "/es", "fr": "/fr", "ru": "/ru", "zh-hans": "/zh"}
# The main navigation's labels: translated in every language but English.
NAV = ["Dashboard", "Forums", "Recommendations", "Themes", "Actors", "Documents"]
PAGES = [
    "dashboard",
    "forums",
    "forum",
    "recommendations",
    "recommendation",
    "actors",
    "actor",
    "themes",
    "theme",
    "processes",
    "process",
    "documents",
    "document",
    "data",
    "follow",
]

pytestmark = [
    pytest.mark.skipif(not FIXTURES, reason="no seed fixtures in fixtures/"),
    pytest.mark.django_db,
]


@pytest.fixture(scope="module")
def paths(django_db_setup, django_db_blocker):
    """{page: English path} on the seed data, loaded once for the whole module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", *FIXTURES, verbosity=0)
        with translation.override("en"):
            paths = {
                "dashboard": "/",
                "forums": "/forums/",
                "forum": Forum.objects.order_by("slug").first().get_absolute_url(),
                "recommendations": "/recommendations/",
                "recommendation": Recommendation.objects.order_by("code").first().get_absolute_url(),
                "actors": "/actors/",
                "actor": Actor.objects.order_by("slug").first().get_absolute_url(),
                "themes": "/themes/",
                "theme": Theme.objects.order_by("slug").first().get_absolute_url(),
                "processes": "/processes/",
                "process": Process.objects.order_by("slug").first().get_absolute_url(),
                "documents": "/documents/",
                "document": Document.objects.order_by("slug").first().get_absolute_url(),
                "data": "/data/",
                "follow": "/follow/?url=/themes/remittances/",
            }
        yield paths
        transaction.set_rollback(True)


def site_nav(html):
    match = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    assert match, "no main navigation"
    return match.group(0)


def assert_page_in(html, code):
    lang = TAGS[code]
    direction = ' dir="rtl"' if code == "ar" else ""
    assert f'<html lang="{lang}"{direction}>' in html
    nav = site_nav(html)
    with translation.override(code):
        labels = [gettext(label) for label in NAV]
    for label in labels:
        assert f">{label}</a>" in nav, (code, label)
    if code != "en":
        # Some words are the same in French ("Forums", "Documents"), not most of them.
        translated = [english for english, label in zip(NAV, labels, strict=True) if label != english]
        assert "Dashboard" in translated and len(translated) >= 3, f"the navigation is not in {code}: {labels}"
    # Every link of the navigation stays in the page's language.
    assert f'href="{PREFIXES[code]}/forums/"' in nav
    # The switch: the page in each language, named in that language, the current one marked.
    switch = re.search(r'<nav class="language-switch" aria-label="[^"]+">(.*?)</nav>', html, re.S).group(1)
    assert len(re.findall(r"<a ", switch)) == 6
    assert re.search(rf'<a [^>]*lang="{lang}" hreflang="{lang}" aria-current="true">', switch)
    assert switch.count('aria-current="true"') == 1


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_answers_in_every_language(client, paths, page, code):
    path = PREFIXES[code] + paths[page]

    response = client.get(path)

    assert response.status_code == 200, path
    assert response["Content-Language"] == code
    assert_page_in(response.content.decode(), code)


@pytest.mark.parametrize("code", CODES)
def test_the_404_page_is_in_the_language_of_its_address(client, paths, code):
    response = client.get(f"{PREFIXES[code]}/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert_page_in(html, code)
    with translation.override(code):
        assert gettext("Page not found") in html
    # Its switch leads to the same missing address in each language.
    assert 'href="/zh/no-such-page/?language=zh-hans"' in html


@pytest.mark.parametrize("code", CODES)
def test_the_feed_is_in_the_language_of_its_address(client, paths, code):
    response = client.get(f"{PREFIXES[code]}/feeds/updates/")

    assert response.status_code == 200
    feed = response.content.decode()
    assert f'xml:lang="{code}"' in feed
    with translation.override(code):
        title = gettext("Migration Dialogues Tracker: progress updates")
    assert f"<title>{title}</title>" in feed
    # Its links point at the pages in the same language.
    assert f'href="http://testserver{PREFIXES[code]}/recommendations/' in feed


def test_chinese_is_served_at_zh_and_its_django_code_is_no_address(client, paths):
    assert client.get("/zh/forums/").status_code == 200
    assert client.get("/zh-hans/forums/").status_code == 404
    assert client.get("/en/forums/").status_code == 404


def test_the_head_names_the_page_in_each_language_and_the_switch_keeps_the_query(client, paths):
    query = "status=implemented&as_of=2009-01-01"
    response = client.get(f"/fr/recommendations/?{query}")
    html = response.content.decode()

    alternates = [
        (lang, href.replace("&amp;", "&"))
        for lang, href in re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    ]
    assert alternates == [
        ("ar", f"http://testserver/ar/recommendations/?{query}"),
        ("en", f"http://testserver/recommendations/?{query}"),
        ("x-default", f"http://testserver/recommendations/?{query}"),
        ("es", f"http://testserver/es/recommendations/?{query}"),
        ("fr", f"http://testserver/fr/recommendations/?{query}"),
        ("ru", f"http://testserver/ru/recommendations/?{query}"),
        ("zh-Hans", f"http://testserver/zh/recommendations/?{query}"),
    ]
    switch = re.findall(
        r'<a href="([^"]+)" lang="([^"]+)" hreflang="([^"]+)"(?: aria-current="true")?>([^<]+)</a>', html
    )
    assert switch == [
        (f"/ar/recommendations/?{query.replace('&', '&amp;')}&amp;language=ar", "ar", "ar", "العربية"),
        (f"/recommendations/?{query.replace('&', '&amp;')}&amp;language=en", "en", "en", "English"),
        (f"/es/recommendations/?{query.replace('&', '&amp;')}&amp;language=es", "es", "es", "Español"),
        (f"/fr/recommendations/?{query.replace('&', '&amp;')}&amp;language=fr", "fr", "fr", "Français"),
        (f"/ru/recommendations/?{query.replace('&', '&amp;')}&amp;language=ru", "ru", "ru", "Русский"),
        (f"/zh/recommendations/?{query.replace('&', '&amp;')}&amp;language=zh-hans", "zh-Hans", "zh-Hans", "中文"),
    ]


def test_dates_numbers_and_percentages_are_written_the_way_each_language_writes_them(client, paths):
    # 9 July 2007 is the first day of the Brussels forum; its page gives the forum's dates in full.
    brussels = "/forums/gfmd-2007-brussels/"
    expected = {
        "en": "9–11 July 2007",
        "fr": "9–11 juillet 2007",
        "es": "9–11 de julio de 2007",
        "ru": "9–11 июля 2007 г.",
        "ar": "9–11 يوليو 2007",
        "zh-hans": "2007年7月9日 – 2007年7月11日",
    }
    for code, dates in expected.items():
        assert dates in client.get(PREFIXES[code] + brussels).content.decode(), code
    # Percentages on the dashboard: "12%" in English, "12 %" (no-break space) in French.
    english, french = client.get("/").content.decode(), client.get("/fr/").content.decode()
    assert re.search(r"\(\d+%\)", english)
    assert re.search(r"\(\d+\xa0%\)", french)
    assert not re.search(r"\(\d+%\)", french)


def test_the_paths_of_the_language_prefixes():
    assert languages.path_in("/fr/forums/x/", "zh-hans") == "/zh/forums/x/"
    assert languages.path_in("/zh/", "en") == "/"
    assert languages.path_in("/forums/", "ar") == "/ar/forums/"
    assert languages.language_of_path("/zh/forums/") == "zh-hans"
    assert languages.language_of_path("/zh-hans/forums/") is None
    assert languages.language_of_path("/frogs/") is None
    assert languages.unprefixed("/ru") == "/"


PHYSICAL = re.compile(
    r"(?<![\w-])(?:margin|padding|border)-(?:left|right)\b|(?<![\w-])(?:left|right)\s*:|"
    r"text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)|clear\s*:\s*(?:left|right)"
)


@pytest.mark.parametrize("name", ["site.css", "admin.css"])
def test_the_stylesheets_use_logical_properties_so_arabic_mirrors(name):
    css = (Path(__file__).resolve().parent.parent / "static" / "tracker" / name).read_text()
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)

    assert PHYSICAL.findall(rules) == []
    assert PHYSICAL.findall(".x { margin-left: 1px; text-align: right; left: 0 }") == [
        "margin-left",
        "text-align: right",
        "left:",
    ]


def test_the_403_page_is_in_the_language_of_its_address(client, paths, settings, make_user, actor_a):
    from tracker import roles

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    client.force_login(make_user("focal", groups=[roles.FOCAL_POINT], actor=actor_a))

    response = client.get("/ru/admin/tracker/emailnotice/")

    assert response.status_code == 403
    html = response.content.decode()
    assert_page_in(html, "ru")
    with translation.override("ru"):
        assert f"<h1>{gettext('Not allowed')}</h1>" in html


@pytest.mark.parametrize("template", ["500.html", "503.html"])
def test_the_500_and_503_pages_are_in_the_active_language(template):
    from django.template.loader import render_to_string

    with translation.override("ar"):
        page = render_to_string(template)
        back = gettext("Back to the dashboard")

    assert '<html lang="ar" dir="rtl">' in page
    assert f'<a href="/ar/">{back}</a>' in page
    assert back != "Back to the dashboard"


def test_the_admin_is_english_at_admin_and_translated_under_each_prefix(client, paths, secretariat_user):
    client.force_login(secretariat_user)

    english, french = client.get("/admin/"), client.get("/fr/admin/")

    assert english.status_code == french.status_code == 200
    assert b'<html lang="en"' in english.content
    html = french.content.decode()
    assert '<html lang="fr"' in html
    with translation.override("fr"):
        assert gettext("Public site") in html and gettext("Public site") != "Public site"
    # Its language links lead to the same admin page in the other languages.
    assert '<a href="/admin/?language=en" lang="en" hreflang="en">English</a>' in html
    assert '<a href="/zh/admin/?language=zh-hans" lang="zh-Hans" hreflang="zh-Hans">中文</a>' in html
