"""The language of the content an API answer or an export serves (docs/i18n.md, "Content
translation"): `?lang=<code>` if given, else the client's `Accept-Language`, else English.

The API is unprefixed, so its content language is negotiated here rather than read from the URL
as the pages' is. `?lang=` must name one of the six languages (`zh` or `zh-Hans` for Chinese; tags
are case-insensitive and a region is ignored: `fr-CA` is French), else the answer is a 400;
`Accept-Language` is a preference, so a header naming none of them gives English. The API's
answers, error messages included, are written in that language (`answer_language`).
"""

from django.utils.translation import gettext as _

from tracker.models.translations import LANGUAGES, SOURCE_DEFAULT, normalise_lang

PARAMETER = "lang"


def accepted_languages(header):
    """The languages of an `Accept-Language` header that are among the six, most preferred first
    (by q-value, then order; q=0 and `*` are skipped)."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _semicolon, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = normalise_lang(tag.strip()) if tag.strip() != "*" else None
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return [language for _quality, _position, language in sorted(ranked)]


def requested_language(request):
    """(language, refused): the content language `request` asks for, and the `?lang=` value when it
    names none of the six (then the language is None)."""
    value = request.GET.get(PARAMETER)
    if value is not None:
        language = normalise_lang(value)
        return (language, None) if language else (None, value)
    accepted = accepted_languages(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
    return (accepted[0] if accepted else SOURCE_DEFAULT), None


def answer_language(request):
    """The language an API answer is written in, its error messages included: the content language
    the request asks for; when its `?lang=` names none of the six (a 400), the `Accept-Language`
    header's, else English."""
    language, _refused = requested_language(request)
    if language is None:
        accepted = accepted_languages(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        language = accepted[0] if accepted else SOURCE_DEFAULT
    return language


def refusal_message(value):
    """The 400's message for a `?lang=` that names none of the six languages."""
    return _(
        "Unknown language %(value)s: use one of %(languages)s (zh or zh-Hans also mean Chinese), "
        "or leave lang out to use Accept-Language."
    ) % {"value": repr(value[:20]), "languages": ", ".join(LANGUAGES)}
