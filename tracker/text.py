"""Text hygiene in one place: what may be stored, what XML and spreadsheets can carry, and the
form of text that search compares.

- `clean_text(value)`: the form every stored text takes, on every write path (model fields of
  `tracker.models.fields` call it, so the admin, the API, the import, commands and fixtures all
  go through it). U+000B (vertical tab) and U+000C (form feed), which Word puts in pasted text,
  become a newline; the other C0 control characters except tab, LF and CR, and the
  non-characters U+FFFE and U+FFFF, are removed. XML 1.0 (the Atom feed) and XLSX (openpyxl)
  cannot carry any of them.
- `xml_safe(value)`: the same filter on output, so text stored before (or by raw SQL) cannot
  break a feed or a spreadsheet either.
- `escape_formula(value)` / `unescape_formula(value)`: spreadsheet formula injection (OWASP's
  CSV injection guidance). A CSV, TSV or XLSX cell that starts with `=`, `+`, `-`, `@`, a tab or
  a carriage return gets a leading apostrophe, so a spreadsheet shows it as text instead of
  running it; the import takes exactly that apostrophe off again. Text that already starts with
  apostrophes followed by one of those characters gets one more, so the round trip
  export → import returns every text unchanged. The API, JSON and HTML are never escaped.
- `search_documents(parts, languages)` / `search_forms(word, lang)`: what search stores and
  compares. A stored document holds the `search_form` of each part (code, text, theme names) and
  the same again with every word replaced by its Snowball stem in the part's language
  (`stem_form`: English, Arabic, French, Russian, Spanish; Chinese is not stemmed and matches as a
  substring): one document as written and one per reader's language (each part's translation
  into it, else the part as written). A query word matches when its folded form, its English
  stem or its stem in the reader's language occurs in the reader's document, so "remittance"
  and "remittances" find the same items, and "migrants" on a French page finds "migrant" in a
  French translation. (`search_document()` is the older one-document form the migrations use.)
"""

import functools
import re
import threading
import unicodedata

import snowballstemmer

# U+000B and U+000C: line breaks in the writer's mind.
_AS_NEWLINE = re.compile("[\x0b\x0c]")
# C0 controls but tab (09), LF (0A), CR (0D), and the two non-characters; VT/FF handled above.
_REMOVED = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def clean_text(value):
    """`value` (a str, or anything else, returned as is) as it may be stored: U+000B and U+000C
    as "\\n", other C0 controls but tab, LF and CR removed, U+FFFE and U+FFFF removed."""
    if not isinstance(value, str):
        return value
    if _XML_UNSAFE.search(value) is None:
        return value
    return _REMOVED.sub("", _AS_NEWLINE.sub("\n", value))


def xml_safe(value):
    """`clean_text` for output: a str that XML 1.0 and XLSX can carry. Other values unchanged."""
    return clean_text(value)


def escape_formula(value):
    """A CSV/TSV/XLSX cell value that no spreadsheet runs as a formula: a str starting with
    `=`, `+`, `-`, `@`, tab or CR (after any apostrophes) gets one leading apostrophe. Other
    values (None, numbers, dates) are returned as they are."""
    if isinstance(value, str) and _NEEDS_ESCAPE.match(value):
        return "'" + value
    return value


def unescape_formula(value):
    """The inverse of `escape_formula`, for the import: one leading apostrophe is removed from a
    str that `escape_formula` would have escaped. `unescape_formula(escape_formula(s)) == s`."""
    if isinstance(value, str) and _ESCAPED.match(value):
        return value[1:]
    return value


# Tatweel (U+0640) stretches Arabic letters; it is a letter modifier, not a combining mark. The
# Arabic letters that are written in several ways are unified (NFKD already brings alef with hamza
# or madda to a bare alef): alef wasla to alef, ta marbuta to ha, alef maqsura to ya.
_SEARCH_DROPPED = {0x0640: None, 0x0671: 0x0627, 0x0629: 0x0647, 0x0649: 0x064A}


def search_form(value):
    """The form search compares: Unicode NFKD, case folded, combining marks removed (accents,
    Arabic harakat), tatweel removed and Arabic alef, ta marbuta and alef maqsura unified.
    "Citée", "CITÉE" and "citee" all give "citee"; "مُهاجِرة" and "مهاجره" the same."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(value).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_SEARCH_DROPPED)
    # Folding can leave composable sequences again (e.g. from compatibility characters).
    return unicodedata.normalize("NFC", stripped)


# A word as the stemmer sees it: a run of letters, digits or underscores (any script). Hyphens,
# slashes and dots stay as they are, so "gfmd-2007-rt1-02" keeps its shape.
_WORD = re.compile(r"\w+")
# The Snowball algorithm of each content language; Chinese has none (words are not inflected,
# and search matches a substring of the folded text).
STEMMERS = {"en": "english", "ar": "arabic", "es": "spanish", "fr": "french", "ru": "russian"}
# Snowball stemmers keep the word being stemmed in the instance: one per thread and algorithm.
_stemmers = threading.local()


@functools.lru_cache(maxsize=65536)
def _stem(word, algorithm="english"):
    stemmer = getattr(_stemmers, algorithm, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(algorithm)
        setattr(_stemmers, algorithm, stemmer)
    return stemmer.stemWord(word)


def stem_form(folded, lang="en"):
    """`folded` (a `search_form`) with each word replaced by its Snowball stem in `lang` (English
    by default: "remittances of migrants" -> "remitt of migrant"); everything between words kept.
    A language without a stemmer (Chinese) gives `folded` unchanged, and words of another script
    come back unchanged (each algorithm only touches its own letters)."""
    algorithm = STEMMERS.get(lang)
    if algorithm is None:
        return folded
    return _WORD.sub(lambda match: _stem_word(match.group(), algorithm), folded)


def _stem_word(word, algorithm):
    """`word`'s stem. A number in ASCII digits is its own stem in every algorithm (checked by
    tests/test_search_languages.py), so it skips the stemmer and its cache: every code holds numbers
    of its own ("gfmd-2007-rt1-02", a demo code's six digits), which would otherwise evict the words
    that recur. Other digits go through the stemmer: Arabic's turns Arabic-Indic digits into ASCII."""
    if word.isascii() and word.isdigit():
        return word
    return _stem(word, algorithm)


@functools.lru_cache(maxsize=4096)
def _search_parts(value, lang="en"):
    folded = search_form(value)
    return folded, stem_form(folded, lang)


def search_document(*values, translations=()):
    """The value of a search column for `values` (str, in English; e.g. a code, a text, theme
    names) and `translations` ((language, str) pairs: the texts' translations): the `search_form`
    of each, one a line, then the `stem_form` of each in its language, one a line. Both halves
    are kept so a query word matches either as typed (a part of a word: "recruitm", or any part
    of a Chinese text) or by its stem. Texts and names that recur are folded once (a cache)."""
    parts = [_search_parts(value or "") for value in values]
    parts += [_search_parts(text, lang) for lang, text in translations if text]
    return "\n".join([folded for folded, _stem in parts] + [stem for _folded, stem in parts])


def search_documents(parts, languages):
    """The search columns of one record: (source, {lang: document}) where `parts` are what is
    searched, each a triple (source_lang, value, translations): a code, a text or a related name,
    the language it is written in and its translations ({lang: str}, empty ones ignored).

    `source` is the `search_document` of every part as written (each stemmed in its own
    language). Each of `languages` gets the document of what a reader in that language sees:
    a part's translation into it (stemmed in it), else the part as written, the fallback a page
    shows. That document is "" when it is the source's (nothing translated into the language), so
    an untranslated record stores one document, and search reads the source column for it."""

    def document(pairs):
        parts_ = [_search_parts(value or "", lang) for lang, value in pairs]
        return "\n".join([folded for folded, _stem in parts_] + [stem for _folded, stem in parts_])

    written = [(lang, value) for lang, value, _translations in parts]
    by_language = {}
    for reader in languages:
        seen = [
            (reader, translations[reader]) if translations.get(reader) and reader != lang else (lang, value)
            for lang, value, translations in parts
        ]
        by_language[reader] = "" if seen == written else document(seen)
    return document(written), by_language


def search_terms(word):
    """(folded, stem) of one query word, in English: what a search column must contain, one or
    the other, for the word to match. ("", "") for a word that folds to nothing."""
    folded = search_form(word)
    return folded, stem_form(folded)


def search_forms(word, lang="en"):
    """The forms of one query word read in `lang` that a search column must contain, one of them,
    for the word to match: its `search_form`, its English stem and its stem in `lang` (a tuple
    without repeats; () for a word that folds to nothing)."""
    folded, stem = search_terms(word)
    if not folded:
        return ()
    return tuple(dict.fromkeys((folded, stem, stem_form(folded, lang))))
