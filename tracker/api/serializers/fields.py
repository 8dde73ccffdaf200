"""Fields the API's serializers share: URLs built from a template reversed once per request,
a page's absolute URL, optional links, slug references and the `kind` of a model."""

import re
from urllib.parse import quote

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

NS = "api-v1"


URL_PLACEHOLDER = "0000000000"  # matches both the slug and the integer converters


def url_template(request, view_name, lookup_url_kwarg, format=None):
    """The API URL of one object of `view_name` with URL_PLACEHOLDER for its lookup value, reversed
    once per request rather than for every object: a page of 50 recommendations nests several
    hundred links, and `reverse()` for each was most of the time of a list request."""
    templates = getattr(request, "_tracker_url_templates", None) if request is not None else None
    if templates is None:
        templates = {}
        if request is not None:
            request._tracker_url_templates = templates
    key = (view_name, format)
    if key not in templates:
        templates[key] = reverse(view_name, kwargs={lookup_url_kwarg: URL_PLACEHOLDER}, request=request, format=format)
    return templates[key]


# Slugs and codes as the models allow them need no quoting; anything else is quoted.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+")


def url_from(template, lookup_value):
    """A URL of `url_template()` for one object; None without a lookup value, as DRF has it."""
    if lookup_value in (None, ""):
        return None
    value = str(lookup_value)
    return template.replace(URL_PLACEHOLDER, value if _UNRESERVED.fullmatch(value) else quote(value, safe=""), 1)


class TemplatedIdentityField(serializers.HyperlinkedIdentityField):
    """An object's API URL, built from a per-request template (see `url_template`)."""

    def get_url(self, obj, view_name, request, format):
        return url_from(
            url_template(request, view_name, self.lookup_url_kwarg, format), getattr(obj, self.lookup_field)
        )


def api_url(name, lookup="slug"):
    return TemplatedIdentityField(view_name=f"{NS}:{name}-detail", lookup_field=lookup)


class HtmlUrlField(serializers.ReadOnlyField):
    """The public page of the object, as an absolute URL."""

    def __init__(self, **kwargs):
        super().__init__(source="get_absolute_url", **kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        return request.build_absolute_uri(value) if request else value


extend_schema_field({"type": "string", "format": "uri"})(HtmlUrlField)


class OptionalURLField(serializers.URLField):
    """A link that may be missing: null rather than "" (which is not a URI)."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class SlugReference(serializers.SlugRelatedField):
    """A related object named by its slug (or code). A value that cannot be a slug is invalid
    before any query: PostgreSQL refuses some characters (NUL) outright."""

    _slug = re.compile(r"[-a-zA-Z0-9_]{1,200}")

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self._slug.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:50])
        return super().to_internal_value(data)


def kind_field(model):
    """`kind` of `model`. Three models have a `kind`, each with its own choices: the schema names
    each set after its model (see tracker.api.schema.AutoSchema)."""
    # An attribute of the class: DRF copies a serializer's fields by re-creating them.
    field_class = type(f"{model.__name__}KindField", (serializers.ChoiceField,), {"kind_of": model})
    return field_class(choices=model.Kind.choices, read_only=True)
