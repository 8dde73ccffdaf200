"""Page-number pagination: `{count, next, previous, results}` with `page` and `page_size`."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


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
        return super().paginate_queryset(queryset, request, view)

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
