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
- `search_document(*values)` / `search_terms(word)`: what search stores and compares. The stored
  column holds the `search_form` of each value (code, text, theme names) and the same again with
  every word replaced by its Snowball English stem (`stem_form`); a query word matches when its
  folded form or its stem occurs in it, so "remittance" and "remittances" find the same items.
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


# Tatweel (U+0640) stretches Arabic letters; it is a letter modifier, not a combining mark.
_SEARCH_DROPPED = {0x0640: None}


def search_form(value):
    """The form search compares: Unicode NFKD, case folded, combining marks removed (accents,
    Arabic harakat) and tatweel removed. "Citée", "CITÉE" and "citee" all give "citee"."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(value).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_SEARCH_DROPPED)
    # Folding can leave composable sequences again (e.g. from compatibility characters).
    return unicodedata.normalize("NFC", stripped)


# A word as the stemmer sees it: a run of letters, digits or underscores (any script). Hyphens,
# slashes and dots stay as they are, so "gfmd-2007-rt1-02" keeps its shape.
_WORD = re.compile(r"\w+")
# Snowball stemmers keep the word being stemmed in the instance: one per thread.
_stemmers = threading.local()


@functools.lru_cache(maxsize=65536)
def _stem(word):
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def stem_form(folded):
    """`folded` (a `search_form`) with each word replaced by its Snowball English stem
    ("remittances of migrants" -> "remitt of migrant"); everything between words kept. Words of
    other scripts come back unchanged (the English algorithm only touches Latin letters)."""
    return _WORD.sub(lambda match: _stem(match.group()), folded)


@functools.lru_cache(maxsize=4096)
def _search_parts(value):
    folded = search_form(value)
    return folded, stem_form(folded)


def search_document(*values):
    """The value of a search column for `values` (str; e.g. a code, a text, theme names): the
    `search_form` of each, one a line, then the `stem_form` of each, one a line. Both halves are
    kept so a query word matches either as typed (a part of a word: "recruitm") or by its stem.
    Texts and names that recur (theme names, generated texts) are folded once (a cache)."""
    parts = [_search_parts(value or "") for value in values]
    return "\n".join([folded for folded, _stem in parts] + [stem for _folded, stem in parts])


def search_terms(word):
    """(folded, stem) of one query word: what a search column must contain, one or the other,
    for the word to match. ("", "") for a word that folds to nothing."""
    folded = search_form(word)
    return folded, stem_form(folded)
