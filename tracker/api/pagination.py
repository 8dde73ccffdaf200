"""Pagination: `{count, next, previous, results}` with `page` and `page_size`, or (opt-in, for
sync) with `cursor`, pages that follow the commit-ordered change key and never skip a row."""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.utils.urls import replace_query_param


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` (from 1) and `page_size` (1 to 1000; larger values are capped at 1000).

    A page past the end is 404; a `page` or `page_size` that is not a positive whole number is
    400 naming the parameter (DRF would silently fall back to the default). An unordered queryset
    is refused outright: its pages could overlap or skip rows between requests.
    """

    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        # A QuerySet (of instances or of rows).
        if getattr(queryset, "ordered", None) is False:
            raise ImproperlyConfigured(
                f"{view.__class__.__name__ if view else 'A view'} paginates an unordered queryset of "
                f"{queryset.model.__name__}; order it by a unique field."
            )
        self.check_numbers(request)
        return super().paginate_queryset(queryset, request, view)

    def check_numbers(self, request):
        """400 naming `page` or `page_size` when either is not a positive whole number."""
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(name)
            if value is None or (name == self.page_query_param and value in self.last_page_strings):
                continue
            try:
                number = int(value)
            except ValueError:
                number = 0
            if number < 1:
                errors[name] = [_("Must be a whole number of at least 1.")]
        if errors:
            raise ValidationError(errors)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = _("Number of results per page (default %(default)s, at most %(max)s).") % {
                    "default": self.page_size,
                    "max": self.max_page_size,
                }
        return parameters

    def get_paginated_response_schema(self, schema):
        """DRF's page schema, with `next` and `previous` nullable as OpenAPI 3.1 says it
        (`type: [string, "null"]`; 3.0's `nullable` means nothing in 3.1)."""
        page = super().get_paginated_response_schema(schema)
        for name in ("next", "previous"):
            link = page["properties"][name]
            link.pop("nullable", None)
            link["type"] = ["string", "null"]
        page["required"] = ["count", "next", "previous", "results"]
        return page


def has_change_key(model):
    """Whether rows of `model` carry the commit-ordered `change_key` that cursor pages follow."""
    return any(field.name == "change_key" for field in model._meta.get_fields())


def encode_cursor(change_key, pk):
    """The opaque `cursor` value that continues after the row (change_key, pk)."""
    return base64.urlsafe_b64encode(f"{change_key}.{pk}".encode()).decode().rstrip("=")


def decode_cursor(value):
    """(change_key, pk) from a `cursor` value, or None for the empty cursor (the first page).
    Raises ValidationError for anything this API did not give."""
    if value == "":
        return None
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
        change_key, pk = (int(part) for part in text.split("."))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError(
            {"cursor": [_("Not a cursor this API gave; start with an empty cursor (?cursor=).")]}
        ) from None
    return change_key, pk


class SyncPagination(PageNumberPagination):
    """Page numbers by default; with `cursor` (empty for the first page), pages in the order of
    the change key (`change_key`, then `id`), each `next` link carrying the cursor after its last
    row. A row changed while a client pages moves past the cursor and comes again later, so no row
    that exists at the end is ever skipped; `previous` is null; `count` counts every row the filters
    select. `cursor` cannot be combined with `page` or `ordering` (400)."""

    cursor_query_param = "cursor"
    cursor_mode = False

    def paginate_queryset(self, queryset, request, view=None):
        if self.cursor_query_param not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        self.cursor_mode = True
        self.check_numbers(request)
        if not has_change_key(queryset.model):
            raise ValidationError({self.cursor_query_param: [_("This list has no cursor pages; use page numbers.")]})
        clashes = [name for name in (self.page_query_param, "ordering") if name in request.query_params]
        if clashes:
            raise ValidationError(
                {name: [_("Cursor pages follow the change key; leave this parameter out.")] for name in clashes}
            )
        self.request = request
        page_size = self.get_page_size(request)
        position = decode_cursor(request.query_params[self.cursor_query_param])
        self.count = queryset.count()
        rows = queryset.order_by("change_key", "id")
        if position is not None:
            change_key, pk = position
            # `>=` first, so that the change-key index gives the range; then past the row itself.
            rows = rows.filter(change_key__gte=change_key).filter(Q(change_key__gt=change_key) | Q(id__gt=pk))
        rows = list(rows[: page_size + 1])
        self.cursor = None
        if len(rows) > page_size:
            rows = rows[:page_size]
            last = rows[-1]
            self.cursor = (
                encode_cursor(last["change_key"], last["id"])
                if isinstance(last, dict)
                else encode_cursor(last.change_key, last.pk)
            )
        return rows

    def get_paginated_response(self, data):
        if not self.cursor_mode:
            return super().get_paginated_response(data)
        url = self.request.build_absolute_uri()
        next_url = replace_query_param(url, self.cursor_query_param, self.cursor) if self.cursor else None
        return pagination.Response({"count": self.count, "next": next_url, "previous": None, "results": data})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        serializer_class = view.get_serializer_class() if hasattr(view, "get_serializer_class") else None
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if getattr(view, "action", None) != "list" or model is None or not has_change_key(model):
            return parameters
        return [
            *parameters,
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": _(
                    "Opt in to cursor pages for sync: empty for the first page, then follow `next`. Rows come "
                    "in the order of `change_key`; combine with `updated_since`."
                ),
                "schema": {"type": "string"},
            },
        ]
