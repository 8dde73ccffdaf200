"""A page-able list of the API's recommendation rows (see `RecommendationQuerySet.for_api_list()`)."""


class ApiRows:
    """A page-able list of API rows (`RecommendationQuerySet.for_api_list()`): what Django's
    Paginator takes (an object with `count()` and slicing). The COUNT runs on the queryset as it
    is, without the joins of the rows, which would only slow it down; a slice is the rows of
    `for_api_detail()` with their `with_api_lists()`."""

    def __init__(self, queryset, as_of=None):
        self.queryset, self.as_of = queryset, as_of
        self.model, self.ordered = queryset.model, queryset.ordered

    def count(self):
        return self.queryset.count()

    def order_by(self, *fields):
        """These rows in another order (as QuerySet.order_by)."""
        return ApiRows(self.queryset.order_by(*fields), self.as_of)

    def filter(self, *args, **kwargs):
        """The rows that also match (as QuerySet.filter)."""
        return ApiRows(self.queryset.filter(*args, **kwargs), self.as_of)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        rows = list(self.queryset.for_api_detail(self.as_of)[index])
        return self.queryset.with_api_lists(rows)
