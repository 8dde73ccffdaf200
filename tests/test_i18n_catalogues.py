"""The interface's translation catalogues (locale/<lang>/LC_MESSAGES/django.po): every message of
the five languages besides English translated, in every plural form the language has, none fuzzy,
with the placeholders of its English; and the compiled .mo files that the site reads saying the
same as the .po files (`make messages`, which `make run` and `make test` run first)."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["ar", "es", "fr", "ru", "zh_Hans"]
# Python's %-placeholders: named ("%(count)s"), positional ("%s", "%d"); "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdfr]")


def catalogue(language):
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"), wrapwidth=0)


def placeholders(text):
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text.replace("%%", "")))


def plural_count(po):
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    assert match, "the catalogue's header has no Plural-Forms"
    return int(match.group(1))


def problems_of(po):
    """What is wrong with each message of `po` (a list of strings, empty when all is well)."""
    found = []
    nplurals = plural_count(po)
    for entry in po:
        if entry.obsolete:
            continue
        where = f"line {entry.linenum}: {entry.msgid[:60]!r}"
        if entry.fuzzy:
            found.append(f"{where}: fuzzy")
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(index, "") for index in range(nplurals)]
            if len(entry.msgstr_plural) != nplurals or not all(form.strip() for form in forms):
                found.append(f"{where}: {len([f for f in forms if f.strip()])} of {nplurals} plural forms filled")
            known = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
            for form in forms:
                # A form may leave the number out ("one recommendation", Arabic's dual), never add one.
                unknown = set(placeholders(form)) - known
                if unknown:
                    found.append(f"{where}: placeholders {sorted(unknown)} not in the English")
        else:
            if not entry.msgstr.strip():
                found.append(f"{where}: untranslated")
            elif placeholders(entry.msgstr) != placeholders(entry.msgid):
                found.append(
                    f"{where}: placeholders {placeholders(entry.msgstr)} instead of {placeholders(entry.msgid)}"
                )
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_in_every_plural_form_with_its_placeholders(language):
    po = catalogue(language)

    problems = problems_of(po)

    assert problems == [], f"{len(problems)} problems in {language}:\n" + "\n".join(problems[:40])
    # Babel (`make messages`) skips a catalogue whose header is marked fuzzy: the whole language
    # would then show in English.
    assert not po.metadata_is_fuzzy, f"{language}: remove '#, fuzzy' from the catalogue's header"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_says_what_the_po_file_says(language):
    po = catalogue(language)
    mo_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    mo = polib.mofile(str(mo_path))

    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in mo if entry.msgid}
    translated = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in po.translated_entries()
        if not entry.obsolete
    }
    stale = sorted(key for key, value in translated.items() if compiled.get(key) != value)

    assert stale == [], f"{len(stale)} messages differ in {mo_path.name}: run `make messages`; first: {stale[:3]}"


def test_the_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    po = polib.POFile()
    po.metadata = {"Plural-Forms": "nplurals=2; plural=(n != 1);"}
    po.append(polib.POEntry(msgid="Status on %(date)s", msgstr="Statut le %(jour)s"))
    po.append(polib.POEntry(msgid="%(count)s of %(total)s", msgstr="%(count)s"))
    po.append(polib.POEntry(msgid="Back", msgstr="Retour", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Forums", msgstr=""))
    po.append(polib.POEntry(msgid="%(n)s update", msgid_plural="%(n)s updates", msgstr_plural={0: "%(n)s mise à jour"}))

    problems = problems_of(po)

    assert len(problems) == 5, problems
    assert [problem.split(": ", 2)[-1] for problem in problems] == [
        "placeholders ['%(jour)s'] instead of ['%(date)s']",
        "placeholders ['%(count)s'] instead of ['%(count)s', '%(total)s']",
        "fuzzy",
        "untranslated",
        "1 of 2 plural forms filled",
    ]
