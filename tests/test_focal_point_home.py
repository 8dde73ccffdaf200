"""A focal point's home in the admin: its actor's recommendations, each with its status, what the
actor last reported and its review state, and a one-click "Report progress" that opens the form
prefilled."""

import pytest

from tracker import services
from tracker.models import Recommendation
from tracker.templatetags.staff_tags import my_recommendations


@pytest.fixture
def home_world(make_recommendation, actor_a, actor_b, focal_a, secretariat_user):
    reported = make_recommendation(
        code="HOME-01", text="Reduce the costs of remittances for migrants.", actors=[actor_a]
    )
    silent = make_recommendation(code="HOME-02", text="Publish labour market needs every year.", actors=[actor_a])
    make_recommendation(code="HOME-03", text="Somebody else's business.", actors=[actor_b])
    update = services.record_progress(reported, user=focal_a, actor=actor_a, status="in_progress", summary="Started.")
    services.return_update(update, user=secretariat_user, note="Which law?")
    return reported, silent, update


def test_the_home_lists_the_actors_recommendations_never_reported_first(client, focal_a, home_world):
    reported, silent, update = home_world
    client.force_login(focal_a)
    page = client.get("/admin/").content.decode()
    section = page[page.index('id="my-recommendations"') :]
    assert "2 recommendations to report on" in section
    assert "HOME-03" not in section
    assert section.index("HOME-02 — Publish labour market needs every year.") < section.index("HOME-01 — ")
    assert "Not reported yet" in section
    assert "Returned for revision" in section and f"/admin/tracker/progressupdate/{update.pk}/change/" in section
    assert f"/admin/tracker/progressupdate/add/?recommendation={silent.pk}&amp;actor={focal_a.actor_id}" in section


def test_report_progress_opens_the_form_prefilled(client, focal_a, home_world):
    _reported, silent, _update = home_world
    client.force_login(focal_a)
    response = client.get(f"/admin/tracker/progressupdate/add/?recommendation={silent.pk}&actor={focal_a.actor_id}")
    form = response.context["adminform"].form
    assert str(form.initial["recommendation"]) == str(silent.pk)
    assert str(form.initial["actor"]) == str(focal_a.actor_id)


def test_the_secretariat_has_no_focal_point_home(client, secretariat_user, home_world):
    client.force_login(secretariat_user)
    assert 'id="my-recommendations"' not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("extra", [0, 12])
def test_the_home_takes_two_queries_however_many_recommendations(
    focal_a, actor_a, home_world, make_recommendation, django_assert_num_queries, extra
):
    for _ in range(extra):
        make_recommendation(actors=[actor_a])
    focal_a.refresh_from_db()  # no cached actor or groups
    focal_a.groups.all()
    from tracker import roles

    assert roles.is_focal_point(focal_a)
    # The actor; the recommendations with what the actor last reported (subqueries).
    with django_assert_num_queries(2):
        home = my_recommendations(focal_a)
    assert home["count"] == Recommendation.objects.filter(actors=actor_a).count() == 2 + extra


def test_the_home_says_what_is_asked_of_the_actor_in_open_cycles(client, focal_a, home_world, secretariat_user):
    import datetime

    from tracker import cycles

    reported, silent, _update = home_world
    cycle = cycles.create_cycle(
        user=secretariat_user,
        name="2027 round",
        opens_on=datetime.date.today(),
        deadline=datetime.date.today() + datetime.timedelta(days=30),
        filters={"q": "HOME-0"},
    )
    cycles.open_cycle(cycle, user=secretariat_user)
    client.force_login(focal_a)
    page = client.get("/admin/").content.decode()
    section = page[page.index('id="asked-of-you"') : page.index('id="my-recommendations"')]
    due = (datetime.date.today() + datetime.timedelta(days=30)).strftime("%-d %b %Y")
    assert f"Asked of you in 2027 round, due {due}: 2 reports missing" in section
    assert f"?recommendation={silent.pk}&amp;actor={focal_a.actor_id}" in section
    assert "HOME-03" not in section  # another actor's
    # Once both are reported, nothing is asked any more.
    for recommendation in (reported, silent):
        services.record_progress(
            recommendation, user=focal_a, actor=focal_a.actor, status="in_progress", summary="Done."
        )
    assert 'id="asked-of-you"' not in client.get("/admin/").content.decode()
