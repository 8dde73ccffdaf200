"""The admin as each role: scoping enforced on the server, by URL and by form field."""

import datetime

import pytest
from django.urls import reverse

from tests.admin_forms import EMPTY_EVIDENCE_FORMSET
from tracker import services
from tracker.models import ProgressUpdate, Recommendation

Status = Recommendation.Status


@pytest.fixture
def recommendation(make_recommendation):
    return make_recommendation(text="Develop codes of ethical recruitment")


@pytest.fixture
def update_of_b(recommendation, focal_b, actor_b):
    return services.record_progress(recommendation, user=focal_b, actor=actor_b, status=Status.IN_PROGRESS, summary="B")


@pytest.fixture
def update_of_a(recommendation, focal_a, actor_a):
    return services.record_progress(recommendation, user=focal_a, actor=actor_a, status=Status.STALLED, summary="A")


def change_url(obj):
    return reverse(f"admin:tracker_{obj._meta.model_name}_change", args=[obj.pk])


def update_form_data(recommendation, actor, **overrides):
    data = {
        "recommendation": recommendation.pk,
        "actor": actor.pk,
        "status": Status.IN_PROGRESS,
        "reported_on": "2009-03-01",
        "summary": "Ministry adopted a code",
        "evidence_url": "",
        "source_document": "",
        **EMPTY_EVIDENCE_FORMSET,
    }
    data.update(overrides)
    return data


def test_focal_point_sees_only_its_own_actors_updates_in_the_list(client, focal_a, update_of_a, update_of_b):
    client.force_login(focal_a)
    response = client.get(reverse("admin:tracker_progressupdate_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [update_of_a]


def test_focal_point_cannot_open_another_actors_update_by_url(client, focal_a, update_of_b):
    client.force_login(focal_a)
    response = client.get(change_url(update_of_b))
    # The admin redirects to its index with "doesn't exist" for objects outside the queryset.
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert response.url == reverse("admin:index")
    assert update_of_b.summary not in response.content.decode()


def test_focal_point_cannot_change_another_actors_update_by_post(client, focal_a, update_of_b):
    client.force_login(focal_a)
    client.post(
        change_url(update_of_b), update_form_data(update_of_b.recommendation, update_of_b.actor, summary="hacked")
    )
    update_of_b.refresh_from_db()
    assert update_of_b.summary == "B"
    assert update_of_b.history.count() == 1


def test_focal_point_cannot_view_another_actors_update_history(client, focal_a, update_of_b):
    client.force_login(focal_a)
    response = client.get(reverse("admin:tracker_progressupdate_history", args=[update_of_b.pk]))
    assert response.status_code in (403, 404)


def test_focal_point_add_form_offers_only_its_own_actor(client, focal_a, actor_a, actor_b):
    client.force_login(focal_a)
    response = client.get(reverse("admin:tracker_progressupdate_add"))
    assert response.status_code == 200
    choices = list(response.context["adminform"].form.fields["actor"].queryset)
    assert choices == [actor_a]


def test_focal_point_cannot_add_an_update_for_another_actor_by_forging_the_form(
    client, focal_a, actor_b, recommendation
):
    client.force_login(focal_a)
    response = client.post(reverse("admin:tracker_progressupdate_add"), update_form_data(recommendation, actor_b))
    assert response.status_code == 200  # the form is shown again with an error
    assert "actor" in response.context["adminform"].form.errors
    assert not ProgressUpdate.objects.exists()


def test_focal_point_adds_an_update_that_arrives_submitted(client, focal_a, actor_a, recommendation):
    client.force_login(focal_a)
    response = client.post(reverse("admin:tracker_progressupdate_add"), update_form_data(recommendation, actor_a))
    assert response.status_code == 302, response.context["adminform"].form.errors
    update = ProgressUpdate.objects.get()
    assert update.actor == actor_a
    assert update.recorded_by == focal_a
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    recommendation.refresh_from_db()
    assert recommendation.status == Status.NO_INFORMATION
    assert update.history.get().history_user == focal_a


def test_focal_point_cannot_approve_through_the_action(client, focal_a, update_of_a):
    client.force_login(focal_a)
    client.post(
        reverse("admin:tracker_progressupdate_changelist"),
        {"action": "approve", "_selected_action": [update_of_a.pk]},
    )
    update_of_a.refresh_from_db()
    assert update_of_a.review_state == ProgressUpdate.ReviewState.SUBMITTED


def test_focal_point_cannot_change_a_recommendation(client, focal_a, recommendation):
    client.force_login(focal_a)
    response = client.post(
        change_url(recommendation),
        {
            "code": recommendation.code,
            "forum": recommendation.forum_id,
            "text": "changed",
            "status": Status.IMPLEMENTED,
        },
    )
    assert response.status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.text == "Develop codes of ethical recruitment"
    assert recommendation.status == Status.NO_INFORMATION


def test_secretariat_approves_submitted_updates_through_the_action(client, secretariat_user, update_of_a, update_of_b):
    client.force_login(secretariat_user)
    response = client.post(
        reverse("admin:tracker_progressupdate_changelist"),
        {"action": "approve", "_selected_action": [update_of_a.pk, update_of_b.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert set(ProgressUpdate.objects.values_list("review_state", flat=True)) == {ProgressUpdate.ReviewState.APPROVED}
    recommendation = update_of_a.recommendation
    recommendation.refresh_from_db()
    assert recommendation.status in (Status.STALLED, Status.IN_PROGRESS)


def test_secretariat_returns_an_update_through_the_action_with_a_reason(client, secretariat_user, update_of_b):
    client.force_login(secretariat_user)
    data = {"action": "return_for_revision", "_selected_action": [update_of_b.pk]}
    # The action first asks for the reason the focal point will see.
    asked = client.post(reverse("admin:tracker_progressupdate_changelist"), data)
    assert asked.status_code == 200
    update_of_b.refresh_from_db()
    assert update_of_b.review_state == ProgressUpdate.ReviewState.SUBMITTED
    client.post(reverse("admin:tracker_progressupdate_changelist"), data | {"apply": "1", "reason": "Evidence?"})
    update_of_b.refresh_from_db()
    assert (update_of_b.review_state, update_of_b.review_note) == (ProgressUpdate.ReviewState.RETURNED, "Evidence?")


def recommendation_form_data(recommendation, **overrides):
    data = {
        "code": recommendation.code,
        "forum": recommendation.forum_id,
        "roundtable": "",
        "order": recommendation.order,
        "kind": recommendation.kind,
        "text": recommendation.text,
        "source_document": "",
        "source_locator": "",
        "target_date": "",
        "status": recommendation.status,
        "status_reason": "",
        "status_reported_on": "",
        "status_actor": "",
        "status_evidence_url": "",
        "edit_version": recommendation.version,
    }
    for prefix in ("updates", "links_out", "follow_ups"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(overrides)
    return data


def test_a_status_change_in_the_change_form_records_a_progress_update_with_its_reason(
    client, secretariat_user, recommendation
):
    client.force_login(secretariat_user)
    response = client.post(
        change_url(recommendation),
        recommendation_form_data(
            recommendation, status=Status.IMPLEMENTED, status_reason="Code adopted", status_reported_on="2009-05-01"
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    recommendation.refresh_from_db()
    update = ProgressUpdate.objects.get()
    assert recommendation.status == Status.IMPLEMENTED
    assert update.summary == "Code adopted"
    assert update.reported_on == datetime.date(2009, 5, 1)
    assert update.recorded_by == secretariat_user
    assert update.actor == secretariat_user.actor
    # Creation, then one history entry for the one change (the status), made by the acting user.
    assert recommendation.history.count() == 2
    assert recommendation.history.latest("history_date").history_user == secretariat_user


def test_a_status_change_without_a_reason_is_refused(client, secretariat_user, recommendation):
    client.force_login(secretariat_user)
    response = client.post(change_url(recommendation), recommendation_form_data(recommendation, status=Status.STALLED))
    assert response.status_code == 200
    assert "status_reason" in response.context["adminform"].form.errors
    recommendation.refresh_from_db()
    assert recommendation.status == Status.NO_INFORMATION
    assert not ProgressUpdate.objects.exists()


def test_the_second_of_two_concurrent_edits_gets_a_conflict_and_nothing_is_overwritten(
    client, secretariat_user, recommendation
):
    client.force_login(secretariat_user)
    first = recommendation_form_data(recommendation, text="First editor's text")
    second = recommendation_form_data(recommendation, text="Second editor's text")  # loaded at the same version
    assert client.post(change_url(recommendation), first).status_code == 302
    response = client.post(change_url(recommendation), second)
    assert response.status_code == 200
    assert "Someone else saved recommendation" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.text == "First editor's text"


def test_a_status_change_in_the_changelist_goes_through_the_service(client, secretariat_user, recommendation):
    client.force_login(secretariat_user)
    response = client.post(
        reverse("admin:tracker_recommendation_changelist"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": recommendation.pk,
            "form-0-status": Status.IN_PROGRESS,
            "form-0-edit_version": recommendation.version,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == Status.IN_PROGRESS
    update = ProgressUpdate.objects.get()
    assert update.recorded_by == secretariat_user
    assert update.review_state == ProgressUpdate.ReviewState.APPROVED


def test_the_bulk_set_status_action_records_one_update_per_recommendation(
    client, secretariat_user, make_recommendation
):
    recommendations = [make_recommendation() for _ in range(3)]
    client.force_login(secretariat_user)
    response = client.post(
        reverse("admin:tracker_recommendation_changelist"),
        {
            "action": "set_status",
            "apply": "1",
            "status": Status.NOT_STARTED,
            "reason": "Annual review 2009",
            "_selected_action": [r.pk for r in recommendations],
        },
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.count() == 3
    assert set(Recommendation.objects.values_list("status", flat=True)) == {Status.NOT_STARTED}


def test_an_inline_update_added_by_the_secretariat_goes_through_the_service(
    client, secretariat_user, recommendation, actor_a
):
    client.force_login(secretariat_user)
    data = recommendation_form_data(recommendation)
    data.update(
        {
            "updates-TOTAL_FORMS": 1,
            "updates-0-reported_on": "2010-02-02",
            "updates-0-actor": actor_a.pk,
            "updates-0-status": Status.PARTIALLY_IMPLEMENTED,
            "updates-0-summary": "Two of five centres open",
            "updates-0-evidence_url": "https://example.org/report",
        }
    )
    response = client.post(change_url(recommendation), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    recommendation.refresh_from_db()
    assert recommendation.status == Status.PARTIALLY_IMPLEMENTED
    assert ProgressUpdate.objects.get().recorded_by == secretariat_user


@pytest.mark.parametrize("role", ["secretariat", "focal_point"])
@pytest.mark.parametrize(
    "url_name", ["recommendation", "progressupdate", "forum", "actor", "theme", "document", "roundtable"]
)
def test_changelists_render_for_each_role_with_bounded_queries(
    client, django_assert_max_num_queries, role, url_name, secretariat_user, focal_a, make_recommendation, actor_a
):
    for n in range(5):
        rec = make_recommendation(text=f"<script>alert({n})</script>")
        services.record_progress(rec, user=focal_a, actor=actor_a, status=Status.STALLED, summary=f"<b>{n}</b>")
    user = secretariat_user if role == "secretariat" else focal_a
    client.force_login(user)
    # session, user, groups (role check), count, filtered count, rows, list filters' choices...
    with django_assert_max_num_queries(20):
        response = client.get(reverse(f"admin:tracker_{url_name}_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(" not in body
    assert "<b>0</b>" not in body


def test_recommendation_changelist_query_count_does_not_grow_with_rows(
    client, django_assert_max_num_queries, secretariat_user, make_recommendation
):
    for _ in range(30):
        make_recommendation()
    client.force_login(secretariat_user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:tracker_recommendation_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 30


@pytest.mark.parametrize("role", ["secretariat", "focal_point"])
def test_change_forms_render_for_each_role(client, role, secretariat_user, focal_a, update_of_a, recommendation):
    user = secretariat_user if role == "secretariat" else focal_a
    client.force_login(user)
    assert client.get(change_url(recommendation)).status_code == 200
    assert client.get(change_url(update_of_a)).status_code == 200
    assert client.get(reverse("admin:tracker_progressupdate_history", args=[update_of_a.pk])).status_code == 200


def test_a_stale_inline_status_edit_in_the_changelist_is_refused(client, secretariat_user, recommendation, actor_a):
    loaded_version = recommendation.version
    # Someone else records a status after the list was loaded.
    services.record_progress(recommendation, user=secretariat_user, actor=actor_a, status=Status.STALLED, summary="x")
    client.force_login(secretariat_user)
    response = client.post(
        reverse("admin:tracker_recommendation_changelist"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": recommendation.pk,
            "form-0-status": Status.IMPLEMENTED,
            "form-0-edit_version": loaded_version,
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert "Someone else saved recommendation" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == Status.STALLED
    assert ProgressUpdate.objects.count() == 1


def test_the_bulk_set_themes_action_adds_themes_with_one_history_entry_each(
    client, secretariat_user, make_recommendation, make_theme
):
    gender, labour = make_theme(name="Gender"), make_theme(name="Labour mobility")
    tagged = make_recommendation(themes=[gender])
    untagged = make_recommendation()
    client.force_login(secretariat_user)
    response = client.post(
        reverse("admin:tracker_recommendation_changelist"),
        {
            "action": "set_themes",
            "apply": "1",
            "themes": [gender.pk, labour.pk],
            "mode": "add",
            "_selected_action": [tagged.pk, untagged.pk],
        },
    )
    assert response.status_code == 302
    assert set(untagged.themes.all()) == {gender, labour}
    assert set(tagged.themes.all()) == {gender, labour}
    assert untagged.history.filter(history_user=secretariat_user).count() == 1


def test_the_secretariat_cannot_edit_history(secretariat_user):
    assert secretariat_user.has_perm("tracker.view_historicalrecommendation")
    assert not secretariat_user.has_perm("tracker.change_historicalrecommendation")
    assert not secretariat_user.has_perm("tracker.delete_historicalprogressupdate")


# The secretariat's own assessments without an actor of the user's own


@pytest.fixture
def actorless_superuser(make_user):
    return make_user("root", is_superuser=True)


def test_an_actorless_superuser_changes_a_status_in_the_list_under_the_secretariat_actor(
    client, actorless_superuser, make_recommendation, secretariat_actor
):
    from tracker import services

    assert services.acting_actor(actorless_superuser) == secretariat_actor
    recommendation = make_recommendation()
    client.force_login(actorless_superuser)
    page = client.get("/admin/tracker/recommendation/")
    assert page.status_code == 200
    response = client.post(
        "/admin/tracker/recommendation/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": recommendation.pk,
            "form-0-status": "in_progress",
            "form-0-edit_version": recommendation.version,
            "_save": "Save",
        },
        follow=True,
    )
    assert "Nothing was saved" not in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == "in_progress"
    update = recommendation.updates.get()
    assert (update.actor, update.recorded_by, update.review_state) == (
        secretariat_actor,
        actorless_superuser,
        "approved",
    )


def test_several_secretariat_actors_and_none_named_is_a_warning_of_set_up(db, make_actor, settings):
    from django.core import checks

    make_actor(slug="sec-one", name="One", kind="secretariat")
    make_actor(slug="sec-two", name="Two", kind="secretariat")
    settings.TRACKER_SECRETARIAT_ACTOR = ""
    messages = checks.run_checks(databases=["default"], include_deployment_checks=False)
    assert [m.id for m in messages if m.id.startswith("tracker.")] == ["tracker.W002"]
    from tracker import services

    assert services.secretariat_actor() is None
    settings.TRACKER_SECRETARIAT_ACTOR = "sec-two"
    assert services.secretariat_actor().slug == "sec-two"
    assert not [m for m in checks.run_checks(databases=["default"]) if m.id.startswith("tracker.")]
    settings.TRACKER_SECRETARIAT_ACTOR = "missing"
    assert [m.id for m in checks.run_checks(databases=["default"]) if m.id.startswith("tracker.")] == ["tracker.W001"]
