"""Template tags of the interface's languages: the `lang` of a page, and the same page in each
language for the switch and the `hreflang` links (tracker.languages, docs/i18n.md)."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.utils.http import urlencode
from django.utils.translation import get_language

from tracker import languages

register = template.Library()

# The switch's parameter (tracker.http.language.CHOICE_PARAMETER; the pages may not import the plumbing).
CHOICE_PARAMETER = "language"


@dataclass(frozen=True)
class Version:
    """The current page in one language: `code` (Django's), `name` (in itself), `lang` (BCP 47),
    `href` (the switch's link, which also sets the language cookie), `url` (the page's absolute
    address in that language, for `hreflang`) and `current` (the page's own language)."""

    code: str
    name: str
    lang: str
    href: str
    url: str
    current: bool


@register.filter
def html_lang(code):
    """The BCP 47 tag of a Django language code: "zh-hans" → "zh-Hans"."""
    return languages.html_lang(code or settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def language_versions(context):
    """[Version, ...] of the current page, one per language in settings.LANGUAGES' order; every
    query parameter (`as_of`, filters, `page`) kept. Empty without a request (the 500 page)."""
    request = context.get("request")
    if request is None:
        return []
    current = get_language()
    pairs = [(key, value) for key, values in request.GET.lists() for value in values if key != CHOICE_PARAMETER]
    query = urlencode(pairs)
    script = request.path.removesuffix(request.path_info)
    origin = request.build_absolute_uri("/").removesuffix("/")  # scheme and host, read once
    versions = []
    for code, name in settings.LANGUAGES:
        path = script + languages.path_in(request.path_info, code)
        versions.append(
            Version(
                code=code,
                name=name,
                lang=languages.html_lang(code),
                href=f"{path}?{urlencode([*pairs, (CHOICE_PARAMETER, code)])}",
                url=origin + (f"{path}?{query}" if query else path),
                current=code == current,
            )
        )
    return versions
