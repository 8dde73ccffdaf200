"""`Authorization: Bearer <token>` works as `Token <token>` does, on reads and writes; any other
scheme is refused with a 401 that says what to send, never read as anonymous."""

import pytest
from rest_framework.test import APIClient

API = "/api/v1"


@pytest.fixture
def submitted(api_world, focal_a, actor_a):
    from tracker import services

    return services.record_progress(
        api_world.ethical, user=focal_a, actor=actor_a, status="in_progress", summary="Private draft."
    )


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_either_scheme_reads_as_the_user(scheme, submitted, focal_a, api_token, api_fresh_cache):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {api_token(focal_a)}")
    # A focal point sees its own submitted update; anonymous readers would get 404.
    assert client.get(f"{API}/updates/{submitted.pk}/").status_code == 200


def test_bearer_writes(api_world, focal_a, api_token, api_fresh_cache):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(focal_a)}")
    response = client.post(
        f"{API}/updates/",
        {"recommendation": api_world.ethical.code, "status": "in_progress", "summary": "Sent with Bearer."},
        format="json",
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("header", ["Basic Zm9vOmJhcg==", "Bearer", "Bearer a b", "Token"])
def test_other_schemes_and_malformed_headers_are_401_not_anonymous(header, submitted, api_fresh_cache):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(f"{API}/updates/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert "Token" in response.json()["detail"]
