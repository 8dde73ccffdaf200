"""The finish of the public pages: one stylesheet with the status colours, contrast, landmarks,
and every visible string of the templates marked for translation."""

import re
from pathlib import Path

import pytest
from pytest_django.asserts import assertContains

from tracker.models import STATUS_COLOURS, Status

ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = ROOT / "static" / "tracker" / "site.css"
TEMPLATES = sorted(path for path in (ROOT / "templates").rglob("*.html") if "admin" not in path.parts)


def relative_luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_stylesheet_uses_the_status_colours_of_the_model():
    css = STYLESHEET.read_text()

    for status in Status:
        assert f".status-{status.value} {{ --status: {STATUS_COLOURS[status]}; }}" in css


@pytest.mark.parametrize("status", list(Status))
def test_white_text_on_every_status_colour_has_at_least_4_5_to_1_contrast(status):
    assert contrast("#ffffff", STATUS_COLOURS[status]) >= 4.5


def test_the_stylesheet_is_small_and_has_a_print_and_a_phone_layout():
    css = STYLESHEET.read_text()

    # One hand-written file, no framework, in 20 kB: shared rules grouped rather than repeated, every
    # selector one the templates use (the right-to-left conversion of issue 17 trimmed it back under).
    assert len(css) < 20_000
    assert "@media print" in css
    assert "@media (max-width: 40rem)" in css
    assert ":focus-visible" in css


def test_pages_have_a_language_a_skip_link_and_landmarks(client, brussels_2007):
    response = client.get("/")

    assertContains(response, '<html lang="en">')
    assertContains(response, '<a class="skip-link" href="#main">Skip to main content</a>', html=True)
    assertContains(response, '<main id="main"')
    assertContains(response, '<nav class="site-nav" aria-label="Main">')
    assertContains(response, "<footer")
    assertContains(response, 'href="/static/tracker/site.css"')
    assertContains(response, 'aria-current="page"')


def test_no_page_needs_javascript():
    # JSON-LD (the open-data package's schema.org Dataset) is data for search engines, not a script:
    # browsers never run it, and the Content Security Policy leaves it alone.
    json_ld = re.compile(r'<script type="application/ld\+json">{{ \w+ }}</script>')
    for template in TEMPLATES:
        assert "<script" not in json_ld.sub("", template.read_text()), template


def visible_text(template_source):
    """What a template shows that is not marked for translation: text outside tags, variables,
    comments and translation blocks."""
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", template_source, flags=re.S)
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", text, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return re.findall(r"[^\W\d_]{2,}", text)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_visible_string_is_marked_for_translation(template):
    assert visible_text(template.read_text()) == []


def test_attributes_with_words_are_translated_too():
    for template in TEMPLATES:
        for value in re.findall(r'(?:aria-label|title|alt|placeholder)="([^"{]+)"', template.read_text()):
            assert not re.search(r"[^\W\d_]{2,}", value), (template, value)
