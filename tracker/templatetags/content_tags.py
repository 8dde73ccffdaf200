"""Template tags of translated content (tracker.models.translations, docs/i18n.md "Content
translation"): a record's text or name in the page's language, or its source text marked with the
source's `lang` where no translation exists, with a small label saying how far a translation can
be trusted."""

from django import template
from django.template.defaultfilters import linebreaksbr, truncatewords
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tracker.languages import html_lang, text_direction
from tracker.models.translations import SOURCE, TranslationStatus, localize, normalise_lang

register = template.Library()

LABELS = {
    TranslationStatus.MACHINE: _("machine translation, unreviewed"),
    TranslationStatus.REVIEWED: _("reviewed translation"),
    TranslationStatus.OFFICIAL: _("official translation"),
}


@register.filter
def localized_text(record, field):
    """`record`'s `field` in the active language, else its source text: plain text (for a
    `<title>`, a meta description or an attribute, where no `lang` can be set)."""
    return localize(record, field).value


@register.simple_tag
def localized(record, field, words=0, linebreaks=False, label=True):
    """`record`'s `field` in the active language as HTML: the text alone when it is in the page's
    language; otherwise in a `<span lang=... dir=...>`, followed (with `label`) by a small label
    for a translation (machine, reviewed, official). A missing translation shows the source text
    with the source's `lang`, never an empty string. `words` truncates (0: never); `linebreaks`
    keeps the text's line breaks."""
    shown = localize(record, field)
    value = truncatewords(shown.value, words) if words else shown.value
    body = linebreaksbr(value, autoescape=True) if linebreaks else value
    page = normalise_lang(get_language())
    if shown.lang == page and shown.status == SOURCE:
        return format_html("{}", body)
    text = format_html('<span lang="{}" dir="{}">{}</span>', html_lang(shown.lang), text_direction(shown.lang), body)
    if not label or shown.status == SOURCE:
        return text
    return format_html(
        '{} <small class="translation-label translation-{}">{}</small>', text, shown.status, LABELS[shown.status]
    )
