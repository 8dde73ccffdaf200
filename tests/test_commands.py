"""Staff command-line tools."""

import io

import pytest
from django.core.management import CommandError, call_command

from tracker import roles
from tracker.models import User


def test_create_focal_point_creates_a_staff_user_in_the_focal_point_group(actor_a):
    out = io.StringIO()
    call_command("create_focal_point", "maria", "--actor", actor_a.slug, "--generate-password", stdout=out)
    user = User.objects.get(username="maria")
    assert user.actor == actor_a
    assert user.is_staff
    assert roles.is_focal_point(user)
    password = out.getvalue().split("Password (shown once): ")[1].strip()
    assert user.check_password(password)


def test_create_focal_point_updates_an_existing_user(actor_a, actor_b):
    call_command("create_focal_point", "maria", "--actor", actor_a.slug, "--generate-password", stdout=io.StringIO())
    call_command("create_focal_point", "maria", "--actor", actor_b.slug, "--no-password", stdout=io.StringIO())
    assert User.objects.get(username="maria").actor == actor_b
    assert User.objects.filter(username="maria").count() == 1


def test_create_focal_point_rejects_an_unknown_actor(db):
    with pytest.raises(CommandError, match="No actor with slug 'nowhere'"):
        call_command("create_focal_point", "maria", "--actor", "nowhere", "--generate-password")
    assert not User.objects.exists()


def test_create_focal_point_will_not_demote_the_secretariat(secretariat_user, actor_a):
    with pytest.raises(CommandError, match="refusing"):
        call_command("create_focal_point", secretariat_user.username, "--actor", actor_a.slug, "--generate-password")


def test_create_focal_point_without_a_terminal_asks_for_generate_password(actor_a):
    with pytest.raises(CommandError, match="--generate-password"):
        call_command("create_focal_point", "maria", "--actor", actor_a.slug)


def test_load_seed_refuses_a_database_that_holds_data(make_recommendation):
    make_recommendation()
    with pytest.raises(CommandError, match="already holds data"):
        call_command("load_seed")


def test_load_seed_if_empty_skips_a_database_that_holds_data(make_recommendation):
    make_recommendation()
    out = io.StringIO()
    call_command("load_seed", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()


def test_load_seed_loads_the_fixtures_into_an_empty_database(db):
    from tracker.models import Recommendation

    call_command("load_seed", stdout=io.StringIO())
    assert Recommendation.objects.filter(code="GFMD-2007-RT1-06").exists()


def test_a_secretariat_user_made_by_the_command_logs_in_and_may_review(client, secretariat_actor):
    out = io.StringIO()
    call_command("create_secretariat", "sofia", "--email", "sofia@example.org", "--generate-password", stdout=out)
    user = User.objects.get(username="sofia")
    assert (user.is_staff, user.is_active, user.email, user.actor) == (True, True, "sofia@example.org", None)
    assert roles.is_secretariat(user)
    password = out.getvalue().split("Password (shown once): ")[1].strip()
    # The login the README describes: the admin's own form, not force_login.
    response = client.post("/admin/login/?next=/admin/", {"username": "sofia", "password": password})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    home = client.get("/admin/")
    assert home.status_code == 200 and "await your review" in home.content.decode()
    from tracker import services

    assert services.acting_actor(user) == secretariat_actor


def test_create_secretariat_with_an_actor_and_refusing_a_focal_point(actor_a, focal_a):
    call_command("create_secretariat", "lea", "--actor", actor_a.slug, "--generate-password", stdout=io.StringIO())
    assert User.objects.get(username="lea").actor == actor_a
    with pytest.raises(CommandError, match="focal point"):
        call_command("create_secretariat", focal_a.username, "--generate-password")
    assert not roles.is_secretariat(User.objects.get(pk=focal_a.pk))
