"""Request bodies on every write endpoint: a body the API cannot parse is a 400 in the API's error
format (415 for another media type), logged as one line, never a 500; a field the endpoint does not
write, read-only or unknown, is refused by name, never silently dropped. Nothing is written."""

import json
import logging

import pytest
from knox.models import AuthToken

from tracker.models import ProgressUpdate, Recommendation

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"
ENDPOINTS = ["token", "create", "patch", "approve", "return"]

MALFORMED = {
    "nested 1000 deep": "[" * 1000,
    "nested 100000 deep": "[" * 100000,
    "balanced, nested 5000 deep": "[" * 5000 + "]" * 5000,
    "a field nested 40 deep": '{"note": ' + "[" * 40 + "]" * 40 + "}",
    "not UTF-8": b'{"note": "\xff\xfe"}',
    "Latin-1 declared, still not UTF-8": b'{"note": "caf\xe9"}',
    "NaN": '{"note": NaN}',
    "Infinity": '{"note": -Infinity}',
    "a float out of range": '{"note": 1e999}',
    "an integer beyond the digit limit": '{"note": ' + "9" * 5000 + "}",
    "empty": "",
    "only white space": "  \n",
    "truncated": '{"note": "Thank',
    "two documents": '{"note": "a"} {"note": "b"}',
}
CONTENT_TYPES = {"Latin-1 declared, still not UTF-8": "application/json; charset=latin-1"}


@pytest.fixture
def endpoints(api_world, api_client_for, secretariat_user, focal_a):
    """{name: (method, url, extra headers)}: each write endpoint with a client allowed to use it and
    a current If-Match, so that the body is the only thing wrong."""
    anon, focal, secretariat = api_client_for(None), api_client_for(focal_a), api_client_for(secretariat_user)
    update = api_world.updates.b_submitted
    url = f"{API}/updates/{update.pk}/"
    if_match = {"HTTP_IF_MATCH": secretariat.get(url)["ETag"]}
    return {
        "token": (anon.post, f"{API}/auth/token/", {}),
        "create": (focal.post, f"{API}/updates/", {}),
        "patch": (secretariat.patch, url, if_match),
        "approve": (secretariat.post, f"{url}approve/", if_match),
        "return": (secretariat.post, f"{url}return/", if_match),
    }


def stored():
    """Everything a write endpoint could change."""
    return (
        list(ProgressUpdate.objects.order_by("pk").values()),
        list(Recommendation.objects.order_by("pk").values("pk", "version", "status")),
        AuthToken.objects.count(),
    )


def send(endpoints, endpoint, body, content_type="application/json"):
    method, url, headers = endpoints[endpoint]
    return method(url, body, content_type=content_type, **headers)


def assert_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) <= {"detail", "code", "errors"}
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# Bodies the parser cannot take


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_body_is_400_in_the_error_format_and_writes_nothing(endpoints, endpoint, name):
    before = stored()
    response = send(endpoints, endpoint, MALFORMED[name], CONTENT_TYPES.get(name, "application/json"))
    assert_error(response, 400, "parse_error")
    assert stored() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body", ["null", "[]", '"note"', "1"])
def test_json_that_is_not_an_object_is_400(endpoints, endpoint, body):
    before = stored()
    body = assert_error(send(endpoints, endpoint, body), 400, "invalid")
    assert list(body["errors"]) == ["non_field_errors"]
    assert stored() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_another_media_type_is_415(endpoints, endpoint, content_type):
    before = stored()
    assert_error(send(endpoints, endpoint, "note=x", content_type), 415, "unsupported_media_type")
    assert stored() == before


def test_an_anonymous_write_with_a_malformed_body_is_still_401(api_world, api_client_for):
    response = api_client_for(None).post(f"{API}/updates/", "[" * 100000, content_type="application/json")
    assert_error(response, 401, "not_authenticated")


def test_a_body_within_the_depth_limit_reaches_the_serializer(endpoints):
    response = send(endpoints, "approve", '{"note": ' + "[" * 30 + "]" * 30 + "}")
    body = assert_error(response, 400, "invalid")
    assert list(body["errors"]) == ["note"]


def test_a_utf8_body_with_a_byte_order_mark_is_read(endpoints):
    response = send(endpoints, "return", '\ufeff{"note": "Add the link."}'.encode())
    assert response.status_code == 200, response.content
    assert response.json()["review_state"] == "returned"


@pytest.mark.parametrize(
    "body", ["[" * 100000, b"\xff", "", '{"note": 1e999}'], ids=["nested", "not UTF-8", "empty", "out of range"]
)
def test_a_malformed_body_is_logged_as_one_line_without_a_traceback(endpoints, caplog, body):
    caplog.set_level(logging.INFO)
    response = send(endpoints, "token", body)
    assert response.status_code == 400
    records = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert len(records) <= 1, [record.getMessage() for record in records]
    assert all(record.exc_info is None and record.stack_info is None for record in records)
    assert all("\n" not in record.getMessage() for record in records)


# Fields an endpoint does not write


def new_update(api_world, **fields):
    return {"recommendation": api_world.centres.code, "status": "in_progress", "summary": "Pilot started."} | fields


def valid_body(endpoint, api_world):
    return {
        "token": {"username": "focal_a", "password": "pw-for-tests-only-3141"},
        "create": new_update(api_world),
        "patch": {"summary": "Revised.", "reported_on": "2009-01-31"},
        "approve": {"note": "Thank you."},
        "return": {"note": "Add the link."},
    }[endpoint]


READ_ONLY = {
    "token": ["token", "expiry"],
    "create": ["review_state", "recorded_by", "recorded_at", "reviewed_at", "review_note", "id", "url"],
    "patch": ["review_state", "recorded_by", "actor", "recommendation", "id"],
    "approve": ["review_state", "status", "summary", "reviewed_by"],
    "return": ["review_state", "review_note", "actor"],
}


@pytest.mark.parametrize(
    "endpoint, field", [(endpoint, field) for endpoint, fields in READ_ONLY.items() for field in fields]
)
def test_a_read_only_field_is_refused_by_name(api_world, endpoints, endpoint, field):
    before = stored()
    body = valid_body(endpoint, api_world) | {field: "approved"}
    errors = assert_error(send_json(endpoints, endpoint, body), 400, "invalid")["errors"]
    assert errors == {field: ["This field is read-only."]}
    assert stored() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_unknown_field_is_refused_by_name(api_world, endpoints, endpoint):
    before = stored()
    body = valid_body(endpoint, api_world) | {"colour": "red"}
    response = send_json(endpoints, endpoint, body)
    body = assert_error(response, 400, "invalid")
    assert body["errors"] == {"colour": ["Unknown field."]}
    assert body["detail"] == "Invalid input: colour."
    assert stored() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_refused_fields_are_named_with_the_other_fields_errors(api_world, endpoints, endpoint):
    invalid = {"token": {"username": ""}, "create": {"status": "done"}, "patch": {"status": "done"}}
    invalid |= {"approve": {"note": ["x"]}, "return": {"note": ["x"]}}
    body = valid_body(endpoint, api_world) | invalid[endpoint] | {"review_state": "approved", "colour": "red"}
    errors = assert_error(send_json(endpoints, endpoint, body), 400, "invalid")["errors"]
    assert sorted(errors) == sorted([*invalid[endpoint], "review_state", "colour"])
    assert errors["colour"] == ["Unknown field."]
    expected = ["Unknown field."] if endpoint == "token" else ["This field is read-only."]
    assert errors["review_state"] == expected


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_of_writable_fields_only_is_accepted(api_world, endpoints, endpoint):
    response = send_json(endpoints, endpoint, valid_body(endpoint, api_world))
    assert response.status_code in (200, 201), response.content


def send_json(endpoints, endpoint, body):
    method, url, headers = endpoints[endpoint]
    return method(url, body, format="json", **headers)


def test_a_blank_accept_header_is_read_as_any_type_not_a_406(client, db):
    response = client.get("/api/v1/themes/", HTTP_ACCEPT="")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_over_the_upload_limit_is_413_and_writes_nothing(endpoints, endpoint, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = stored()
    body = json.dumps({"summary": "x" * 2000})
    assert_error(send(endpoints, endpoint, body), 413, "request_too_large")
    assert stored() == before
