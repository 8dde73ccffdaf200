"""Content in the six UN languages: which language a record was written in, each language's
translation and how far it can be trusted.

The columns come from django-modeltranslation (`tracker/translation.py` registers the fields): a
translated field `text` gets one column per language (`text_en`, `text_ar`, `text_es`, `text_fr`,
`text_ru`, `text_zh_hans`), read from the same row as the record (no join, no extra query). The
field itself (`text`, the attribute and the column) is the text in the record's **source
language** (`source_lang`), whichever language is active (`SourceDescriptor`), so every reader that
is not about languages (search, exports, the admin, the import, history) sees the source; the
source language's own column (`text_en` for an English record) is left empty and never read.
`translation_status_<lang>` says how far the language's translation of the record (all its
translated fields) can be trusted:

- `official`: copied from an official text of the source (a UN resolution in that language);
- `reviewed`: a translation a person has checked;
- `machine`: machine-made or not reviewed (also assumed where a translation has no status).

What readers, the API and exports show for a field in a language is `localize()`: the language's
own text if it has one, else the source text, marked with the source language (never an empty
string where the source has a text).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.manager import MultilingualManager, MultilingualQuerysetManager

LANGUAGES = tuple(settings.MODELTRANSLATION_LANGUAGES)
SOURCE_DEFAULT = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
# Names a language has in the admin's filters and labels ("Missing translation: French").
LANGUAGE_NAMES = {
    "en": _("English"),
    "ar": _("Arabic"),
    "es": _("Spanish"),
    "fr": _("French"),
    "ru": _("Russian"),
    "zh-hans": _("Chinese"),
}
# Tags a client may send for Chinese, besides "zh-hans" (BCP 47 is case-insensitive).
_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "zh-hans-cn": "zh-hans"}
SOURCE = "source"


class TranslationStatus(models.TextChoices):
    """How far a translation can be trusted; what readers see beside a translated text."""

    OFFICIAL = "official", _("official")
    REVIEWED = "reviewed", _("reviewed")
    MACHINE = "machine", _("machine translation, unreviewed")


# What a served text's status can be (the API's `text_status`): the source itself, or a translation's.
SERVED_STATUSES = (SOURCE, *TranslationStatus.values)


def column(field, lang):
    """The column of `field` in `lang`: column("title", "zh-hans") == "title_zh_hans"."""
    return f"{field}_{lang.replace('-', '_')}"


def status_column(lang):
    return column("translation_status", lang)


def normalise_lang(tag):
    """One of `LANGUAGES` for a language tag ("fr", "fr-CA", "zh-Hans", "ZH"), else None."""
    if not tag:
        return None
    tag = str(tag).strip().lower().replace("_", "-")
    if tag in LANGUAGES:
        return tag
    if tag in _ALIASES:
        return _ALIASES[tag]
    if tag.startswith("zh-hant") or tag in ("zh-tw", "zh-hk", "zh-mo"):
        return None  # traditional Chinese is not one of the six
    primary = tag.split("-", 1)[0]
    return _ALIASES.get(primary, primary if primary in LANGUAGES else None)


def current_lang():
    """The active language as one of `LANGUAGES` (the default when it is none of them)."""
    return normalise_lang(translation.get_language()) or SOURCE_DEFAULT


def translation_columns(fields):
    """Every language's column of each of `fields` (the history leaves them out: see `Translatable`)."""
    return [column(field, lang) for field in fields for lang in LANGUAGES]


def translated_only(fields):
    """What `QuerySet.only()` must name besides `fields` for their translations to be read
    without a query per row: each language's column, the statuses and the source language."""
    return ("source_lang", *translation_columns((*fields, "translation_status")))


class TranslatedManager(MultilingualManager):
    """The manager of a translated model: a plain Django manager of the model's QuerySet.

    django-modeltranslation would patch a model's managers so that their querysets rewrite every
    lookup, ordering and `values()` of a translated field (`name`) to the active language's column
    (`name_fr`), and set the rewritten default ordering as an explicit one on every clone (which
    then enters GROUP BY). Here `name` is always the source column and code that wants a language
    names its column (`localize()`); a manager that is already a `MultilingualManager` is left
    alone by the library, and this one builds its querysets as Django's own manager does."""

    def get_queryset(self):
        return super(MultilingualQuerysetManager, self).get_queryset()


class Translatable(models.Model):
    """Abstract base of the records whose texts and names have translations (see the module)."""

    source_lang = models.CharField(
        _("source language"),
        max_length=10,
        choices=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        default=SOURCE_DEFAULT,
        help_text=_("The language the source document gives this record in; its text in that language is the source."),
    )
    translation_status = models.CharField(
        _("translation status"),
        max_length=10,
        choices=TranslationStatus.choices,
        blank=True,
        default="",
        help_text=_(
            "Official: copied from an official text in this language. Reviewed: checked by a person. "
            "Machine: machine-made or unreviewed (assumed when a translation has no status)."
        ),
    )

    # The translated fields of the concrete model, in the order readers see them.
    translated_fields = ()

    class Meta:
        abstract = True

    def __init__(self, *args, **kwargs):
        # django-modeltranslation's constructor copies `text=` to the active language's column
        # (`text_fr` on a French page, `text_en` otherwise); here `text=` is the source text and
        # stays in the field alone.
        if kwargs:  # rows loaded from the database come positionally, with nothing to undo
            active = current_lang()
            for field in (*self.translated_fields, "translation_status"):
                rewritten = column(field, active)
                if field in kwargs and rewritten in kwargs and kwargs[rewritten] is kwargs[field]:
                    del kwargs[rewritten]
        super().__init__(*args, **kwargs)

    def translation_state(self, lang):
        """(done, total): how many of the translated fields that have a source text have a text in `lang`."""
        fields = [name for name in self.translated_fields if getattr(self, name)]
        done = sum(1 for name in fields if lang == self.source_lang or getattr(self, column(name, lang), ""))
        return done, len(fields)


class SourceDescriptor(TranslationFieldDescriptor):
    """What `record.text` means for a translated field: the field's own column, the text in the
    record's source language, whichever language is active (the library's descriptor reads and
    writes the active language's column instead), as a plain Django field would.
    `tracker/translation.py` puts one on each translated field."""

    def __get__(self, instance, owner):
        if instance is None:
            return self
        name = self.field.attname
        if name not in instance.__dict__:
            instance.refresh_from_db(fields=[name])  # deferred: loaded as Django's own descriptor does
        return instance.__dict__[name]

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


@dataclass(frozen=True)
class Localized:
    """One field of one record as served in a language: `value` in `lang` with its `status`
    (`official`, `reviewed`, `machine`, or `source` when `value` is the source text), and the
    source text and its language. `fallback` is true when the asked language had no text."""

    value: str
    lang: str
    status: str
    source_value: str
    source_lang: str
    fallback: bool

    def __str__(self):
        return self.value


def _read(record, name):
    """A column of `record`: a model instance, or a row of `values()` (a dict)."""
    value = record.get(name) if isinstance(record, dict) else getattr(record, name, None)
    return value or ""


def status_of(record, lang):
    """The translation status of `record` (an instance or a `values()` row) in `lang` (`source`
    for its source language; a translation without a status counts as machine-made)."""
    if lang == (_read(record, "source_lang") or SOURCE_DEFAULT):
        return SOURCE
    return _read(record, status_column(lang)) or TranslationStatus.MACHINE


def localize(record, field, lang=None):
    """`record`'s `field` in `lang` (default: the active language) as a `Localized`. `record` is a
    model instance or a row of `values()` holding the columns (`translated_only()` names them)."""
    lang = normalise_lang(lang) or current_lang()
    source_lang = _read(record, "source_lang") or SOURCE_DEFAULT
    source = _read(record, field)  # the field itself holds the source text (SourceDescriptor)
    value = _read(record, column(field, lang))
    if lang == source_lang or not value:
        return Localized(source, source_lang, SOURCE, source, source_lang, lang != source_lang)
    return Localized(value, lang, status_of(record, lang), source, source_lang, False)


def _empty(name):
    # A language's column is NULL until a translation is written (django-modeltranslation), "" once cleared.
    return Q(**{f"{name}__isnull": True}) | Q(**{name: ""})


def missing_translation(model, lang):
    """A Q of the records of `model` with a translated field that has a source text and no text
    in `lang` (records written in `lang` miss nothing)."""
    missing = Q()
    for field in model.translated_fields:
        missing |= ~_empty(field) & _empty(column(field, lang))
    return missing & ~Q(source_lang=lang)
