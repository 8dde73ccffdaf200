"""The building blocks of the open-data package's tables: Table Schema field descriptors, the
`Table` each resource is, and `Urls`, the absolute links its rows carry."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


def column(name, type="string", description="", *, required=False, unique=False, enum=None, format=None):
    """A Table Schema field descriptor: {"name", "type", "description", "format"?, "constraints"?}."""
    descriptor = {"name": name, "type": type}
    if format:
        descriptor["format"] = format
    if description:
        descriptor["description"] = description
    constraints = {}
    if required:
        constraints["required"] = True
    if unique:
        constraints["unique"] = True
    if enum is not None:
        constraints["enum"] = list(enum)
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def key(name, description=""):
    """A single-field primary key: required and unique."""
    return column(name, description=description, required=True, unique=True)


def url(name="api_url", description="Its resource in the REST API (absolute URL)."):
    return column(name, format="uri", description=description, required=True)


class Urls:
    """Absolute URLs of pages and API resources by key, `reverse()` called once per kind (then the
    key is put in its place), so a million rows cost no million reversals. `base` is the site's
    scheme and host, e.g. "https://tracker.example.org"."""

    PLACEHOLDER = "7130291846"  # digits: the update URLs take only digits; no other part of a URL has these

    def __init__(self, base):
        self.base = base.rstrip("/")
        self.patterns = {}

    def __call__(self, viewname, value):
        if viewname not in self.patterns:
            path = reverse(viewname, args=[self.PLACEHOLDER])
            self.patterns[viewname] = (self.base + path).split(self.PLACEHOLDER, 1)
        prefix, suffix = self.patterns[viewname]
        return f"{prefix}{value}{suffix}"

    def absolute(self, path):
        return self.base + path


@dataclass(frozen=True)
class Table:
    """One resource of the package. `select()` is its rows as a values_list queryset in order (None
    for recommendations, see the module docstring); `shape(row, urls)` turns one into the cells in
    field order (None: the row as selected); `base()` is what its row count counts."""

    name: str
    title: object
    description: object
    fields: tuple
    primary_key: tuple = ()
    foreign_keys: tuple = ()  # (field, resource, field of that resource) each
    base: Callable = None
    select: Callable = None
    shape: Callable = None

    @property
    def path(self):
        return f"{self.name}.csv"

    @property
    def header(self):
        return [descriptor["name"] for descriptor in self.fields]

    def rows(self, urls, chunk_size=2000):
        """The cells of each row, in field order, read in chunks of `chunk_size` (one query)."""
        shape = self.shape
        for row in self.select().iterator(chunk_size=chunk_size):
            yield shape(row, urls) if shape else row
