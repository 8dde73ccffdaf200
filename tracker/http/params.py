"""Which query parameters an answer reads, and the refusal of every other (docs/api.md, "Unknown
parameters").

The API and the exports of the browse list answer a parameter they do not read with a 400 that
names it, so a misspelt filter (`?satus=stalled`) never silently widens a list or an export. The
parameters an answer reads are derived from what serves it (a FilterSet's filters, a paginator's
query parameters; `tracker.api.params` for the API's views), never listed per view. `lang` is
accepted everywhere: the language of the content an API answer or an export serves
(`tracker.http.content_language`; an unknown language is the API's 400 there). The HTML pages and the
Atom feeds keep ignoring parameters they do not read (`utm_source`, …).

This module is below the pages and the API (tracker.http), so both refuse in the same words and
the same format, the API's error format: `{"detail", "code": "invalid", "errors": {name: [...]}}`.
"""

import functools

from django.utils.translation import gettext as _

# Accepted everywhere: the content language of the answer (tracker.http.content_language).
RESERVED = frozenset({"lang"})


@functools.cache
def filterset_parameters(filterset_class):
    """The query parameters a django-filter FilterSet class reads (a frozenset of names): each
    declared filter's name, or the names its widget reads for a filter of two values
    (`name_min`/`name_max`, `name_after`/`name_before`). Raises nothing; cached per class."""
    names = set()
    for name, filter_ in filterset_class.base_filters.items():
        widget = filter_.extra.get("widget") or getattr(filter_.field_class, "widget", None)
        suffixes = getattr(widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return frozenset(names)


def unknown_parameters(query, known):
    """The names in `query` (a QueryDict) that are neither in `known` nor reserved, in the order
    the request gives them (a list, each name once)."""
    return [name for name in query if name not in known and name not in RESERVED]


def unknown_parameter_errors(unknown, known):
    """{name: [message]} for each unknown parameter; the message lists what the answer reads."""
    accepted = ", ".join(sorted(known)) or _("none")
    message = _("Unknown parameter; this address reads: %(names)s.") % {"names": accepted}
    return {name: [message] for name in unknown}


def form_errors(form):
    """{name: [message, ...]} of a bound form's errors, as the API's error format lists them."""
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def error_body(errors, detail=None):
    """The API's 400 body for `errors` ({name: [message, ...]}): `detail` (by default the API's own
    "Invalid input: <names>."), `code` and `errors`."""
    if detail is None:
        detail = _("Invalid input: %(names)s.") % {"names": ", ".join(errors)}
    return {"detail": detail, "code": "invalid", "errors": errors}
