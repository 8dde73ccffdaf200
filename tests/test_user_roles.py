"""A user's role is chosen in one place, the user form, and gives staff status with it."""

import pytest
from django.contrib.auth.models import Group

from tracker import roles
from tracker.models import User


@pytest.fixture
def superuser_client(client, db):
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    return client


def add_user(client, **fields):
    data = {
        "username": "amina",
        "usable_password": "true",
        "password1": "a-long-passphrase-for-amina",
        "password2": "a-long-passphrase-for-amina",
        "email": "amina@example.org",
        "role": "",
        "actor": "",
        "_save": "Save",
    }
    data.update(fields)
    return client.post("/admin/tracker/user/add/", data)


def test_the_add_form_asks_for_a_role_not_for_permissions(superuser_client):
    page = superuser_client.get("/admin/tracker/user/add/").content.decode()
    assert 'name="role"' in page and "Government focal point" in page
    assert 'name="user_permissions"' not in page


def test_a_focal_point_made_on_the_form_is_staff_in_its_group(superuser_client, actor_a, client):
    response = add_user(superuser_client, role="focal_point", actor=actor_a.pk)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="amina")
    assert user.is_staff and user.actor == actor_a
    assert roles.role_of(user) == "focal_point" and roles.is_focal_point(user)
    superuser_client.logout()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "amina", "password": "a-long-passphrase-for-amina"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_focal_point_without_an_actor_is_refused_with_a_message(superuser_client):
    response = add_user(superuser_client, role="focal_point")
    assert response.status_code == 200
    assert "Choose the government or organisation this focal point reports for." in response.content.decode()
    assert not User.objects.filter(username="amina").exists()


def test_changing_the_role_swaps_the_group_and_no_role_removes_staff_status(superuser_client, focal_a, actor_a):
    url = f"/admin/tracker/user/{focal_a.pk}/change/"
    page = superuser_client.get(url).content.decode()
    assert '<option value="focal_point" selected>' in page
    data = {
        "username": focal_a.username,
        "role": "secretariat",
        "actor": actor_a.pk,
        "is_active": "on",
        "email": "",
        "first_name": "",
        "last_name": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "10:00:00",
    }
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    focal_a.refresh_from_db()
    names = set(focal_a.groups.values_list("name", flat=True))
    assert names == {roles.SECRETARIAT} and focal_a.is_staff
    response = superuser_client.post(url, data | {"role": ""})
    assert response.status_code == 302
    focal_a.refresh_from_db()
    assert not focal_a.is_staff and not focal_a.groups.exists()


def test_the_list_shows_each_users_role(superuser_client, focal_a, secretariat_user):
    page = superuser_client.get("/admin/tracker/user/").content.decode()
    assert "Government focal point" in page and "Secretariat" in page
    assert Group.objects.filter(name=roles.FOCAL_POINT).exists()
