"""The schema at /api/schema/ is valid OpenAPI 3.1 and describes what the API answers: nullable
references read as nullable, fields always present are required. Every API answer in the suite
is validated against it besides (tests/openapi_validation.py)."""

import yaml

from tests.openapi_validation import spec


def test_the_schema_is_valid_openapi_3_1():
    document, invalid = spec()
    assert invalid is None, invalid
    assert document["openapi"] == "3.1.0"


def test_the_served_schema_is_the_validated_one(client, db):
    served = yaml.safe_load(client.get("/api/schema/").content)
    assert served["openapi"] == "3.1.0"
    assert set(served["paths"]) == set(spec()[0]["paths"])
    assert "/api/v1/" in served["paths"]  # the API root is described too


def test_nullable_references_are_nullable_in_3_1_terms():
    schemas = spec()[0]["components"]["schemas"]
    roundtable = schemas["Recommendation"]["properties"]["roundtable"]
    assert {"type": "null"} in roundtable["oneOf"]
    page = schemas["PaginatedRecommendationList"]
    assert page["properties"]["next"]["type"] == ["string", "null"]
    assert set(page["required"]) == {"count", "next", "previous", "results"}
    assert "nullable" not in yaml.safe_dump(spec()[0])


def test_fields_always_present_are_required():
    schemas = spec()[0]["components"]["schemas"]
    for name in ("Recommendation", "ProgressUpdate", "Actor", "Forum"):
        schema = schemas[name]
        assert set(schema["required"]) == set(schema["properties"]), name
