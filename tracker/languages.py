"""The interface's languages and where each lives in a URL.

The six official languages of the United Nations (settings.LANGUAGES). English, the default, has
unprefixed URLs; every other language has its pages under a prefix: `/ar/`, `/es/`, `/fr/`,
`/ru/`, and `/zh/` for Chinese, whose Django code is `zh-hans` (the code its catalogues, Django's
own translations and date formats are filed under) and whose HTML tag is `zh-Hans`.

`i18n_patterns` would put Chinese under `/zh-hans/`: Django's `LocalePrefixPattern` (exported by
`django.urls`) writes the active language's code as the prefix. `LanguagePrefixPattern` below is
that class with one property changed, the prefix, so LocaleMiddleware, `reverse()` and
`translate_url()` work as with `i18n_patterns` (docs/i18n.md says why not a `zh` language code).
"""

from django.conf import settings
from django.urls import LocalePrefixPattern, URLResolver
from django.utils.translation import get_language, get_language_info, to_locale

# A language whose URL segment is not its Django code.
URL_SEGMENTS = {"zh-hans": "zh"}


def codes():
    """The Django codes of the interface's languages, in settings.LANGUAGES' order."""
    return [code for code, _name in settings.LANGUAGES]


def url_segment(language):
    """The URL segment of `language` (a Django code): "zh" for "zh-hans", the code otherwise."""
    return URL_SEGMENTS.get(language, language)


def html_lang(language):
    """The BCP 47 tag of `language` (a Django code) for `lang` and `hreflang`: "zh-Hans", "fr"."""
    return to_locale(language).replace("_", "-")


def text_direction(language):
    """The `dir` of a text in `language` (a Django code): "rtl" for Arabic, "ltr" for the others
    (Django's language information, `bidi`)."""
    return "rtl" if get_language_info(language)["bidi"] else "ltr"


def language_of_path(path_info):
    """The language whose prefix starts `path_info` ("/fr/forums/" → "fr", "/zh/" → "zh-hans"),
    None for an unprefixed (English) path. Exact: "/zh-hans/" or "/fr-ca/" name no prefix."""
    segment = path_info.lstrip("/").split("/", 1)[0]
    for code in codes():
        if code != settings.LANGUAGE_CODE and url_segment(code) == segment:
            return code
    return None


def unprefixed(path_info):
    """`path_info` without its language prefix: "/fr/forums/" → "/forums/", "/zh/" → "/"."""
    language = language_of_path(path_info)
    if language is None:
        return path_info
    return path_info[len(url_segment(language)) + 1 :] or "/"


def path_in(path_info, language):
    """The same page's path in `language`: "/fr/forums/" in "en" → "/forums/", in "zh-hans" → "/zh/forums/".
    Always one leading slash: "//evil.example/" (or "/\\evil.example/") would be another site's
    address in a link or a Location header."""
    path = "/" + unprefixed(path_info).lstrip("/\\")
    if language == settings.LANGUAGE_CODE:
        return path
    return f"/{url_segment(language)}{path}"


class LanguagePrefixPattern(LocalePrefixPattern):
    """Django's language prefix (see `i18n_patterns`) written with `url_segment()`: `zh/`, not `zh-hans/`."""

    @property
    def language_prefix(self):
        language = get_language() or settings.LANGUAGE_CODE
        if language == settings.LANGUAGE_CODE and not self.prefix_default_language:
            return ""
        return f"{url_segment(language)}/"


def language_patterns(*urls, prefix_default_language=False):
    """`i18n_patterns(*urls, prefix_default_language=...)` with LanguagePrefixPattern's prefixes."""
    return [URLResolver(LanguagePrefixPattern(prefix_default_language=prefix_default_language), list(urls))]
