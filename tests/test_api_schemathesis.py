"""The API keeps the promises of its OpenAPI schema, checked by Schemathesis against the WSGI
application in process: every operation, at least 25 generated examples each, positive and
negative data, in every phase (examples, coverage, fuzzing; stateful in its own test), with the
checks not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance.

Reads run anonymously; writes run as the secretariat (a token), the role that reaches the most
code. Throttling is relaxed so that the thousands of requests exercise the API, not the limit.
"""

from collections import Counter

import pytest
import schemathesis
from django.conf import settings
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from migration_dialogues.wsgi import application

pytestmark = pytest.mark.usefixtures("api_fast_passwords", "webhooks_stay_home")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 25

CONFIG = {
    "generation": {"max-examples": EXAMPLES, "mode": "all"},
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": True},
    },
}

SAFE = {"GET", "HEAD", "OPTIONS"}
PARAMETERLESS = {"GET /api/v1/"}


@pytest.fixture
def webhooks_stay_home(settings):
    """Writes run as the secretariat, who may register webhook endpoints at any URL Schemathesis
    makes up: only 127.0.0.1 may be named (no other host is ever looked up, let alone reached),
    and deliveries wait in the database task backend, which no worker runs here, so none is sent."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def keep_the_test_transaction():
    """Requests go to the WSGI application itself, whose request signals would close the database
    connection holding the test's transaction (on PostgreSQL). Django's test client detaches the
    same handler for the same reason."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def relaxed_throttling():
    rates = {"anon": "1000000/hour", "user": "1000000/hour"}
    with override_settings(REST_FRAMEWORK=settings.REST_FRAMEWORK | {"DEFAULT_THROTTLE_RATES": rates}):
        yield


def authenticate(case, api_token, user):
    """Writes as `user`, each with a token of its own (a revoking request must not revoke the next
    request's token); reads anonymously. Every call asks for the identity encoding: Schemathesis
    sends requests' default `Accept-Encoding: gzip, …`, but its WSGI transport hands the checks the
    body as sent, without undoing the gzip (tests/test_http_gzip.py checks compression)."""
    case.headers = {**(case.headers or {}), "Accept-Encoding": "identity"}
    if case.method.upper() not in SAFE:
        case.headers = {**(case.headers or {}), "Authorization": f"Token {api_token(user)}"}


@pytest.fixture
def examples_per_operation():
    """Counts the requests made for each operation; after the last one, checks there were enough."""
    counts = Counter()
    yield counts
    print("\nSchemathesis requests per operation:")
    for label, count in sorted(counts.items()):
        print(f"  {count:5d}  {label}")
    print(f"  {sum(counts.values()):5d}  in all, {len(counts)} operations")
    assert len(counts) >= 28, sorted(counts)
    # An operation without parameters or body (the API root) has only a handful of distinct
    # requests to make (methods of the coverage phase, headers); every other one gets EXAMPLES.
    few = {label: count for label, count in counts.items() if label in PARAMETERLESS}
    assert all(count >= 5 for count in few.values()), few
    many = {label: count for label, count in counts.items() if label not in PARAMETERLESS}
    assert min(many.values()) >= EXAMPLES, Counter(many).most_common()[-3:]


@pytest.fixture
def api_schema(api_world, keep_the_test_transaction, relaxed_throttling, api_fresh_cache):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, config=schemathesis.Config.from_dict(CONFIG)
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_keeps_the_promises_of_the_schema(case, api_token, secretariat_user, examples_per_operation):
    examples_per_operation[case.operation.label] += 1
    authenticate(case, api_token, secretariat_user)
    case.call_and_validate(checks=CHECKS)


def test_sequences_of_operations_keep_the_promises_of_the_schema(
    api_world, keep_the_test_transaction, relaxed_throttling, api_fresh_cache, api_token, secretariat_user
):
    """The stateful phase: chains of calls that feed one response's values into the next request
    (links Schemathesis infers from the schema), as the secretariat."""
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, config=schemathesis.Config.from_dict(CONFIG)
    )

    steps = Counter()

    class Workflow(schema.as_state_machine()):
        def before_call(self, case):
            steps[case.operation.label] += 1
            authenticate(case, api_token, secretariat_user)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=hypothesis_settings(
            max_examples=EXAMPLES,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    print(f"\nStateful phase: {sum(steps.values())} calls over {len(steps)} operations: {dict(steps)}")
    assert len(steps) > 1
