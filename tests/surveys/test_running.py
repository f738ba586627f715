"""HR runs surveys: creating one from a template, changing its title and mode (until a wave opens),
scheduling waves, and opening or closing one now. Each action: HR allowed, other roles 403, signed-out
people sent to sign in, wrong method 405."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisation.models import AuditEvent, CouncilSettings
from surveys import services
from surveys.models import Participation, Question, Survey, Wave
from surveys.selectors import figures_release
from surveys.shipped import AI_SENTIMENT
from tests.factories import make_staff
from tests.surveys.test_results_seed import make_pulse, open_wave


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def hr_client(client, org):
    client.force_login(org.hr)
    return client


# --- The surveys list and creating a survey ---------------------------------------------------------------

def test_list_shows_surveys_with_their_mode(hr_client):
    make_pulse()
    make_pulse(key="module-feedback")
    page = hr_client.get(reverse("surveys:manage")).content.decode()
    assert "AI readiness pulse" in page and "Module feedback" in page
    assert "Anonymous" in page and "Named" in page


@pytest.mark.parametrize("role", ["staff", "env_manager", "author"])
def test_other_roles_may_not_run_surveys(client, org, role):
    client.force_login(getattr(org, role))
    survey = make_pulse()
    for url in (reverse("surveys:manage"), reverse("surveys:survey_new"), reverse("surveys:survey", args=[survey.pk]),
                reverse("surveys:survey_settings", args=[survey.pk]), reverse("surveys:wave_new", args=[survey.pk])):
        assert client.get(url).status_code == 403, url


def test_signed_out_people_are_sent_to_sign_in(client, db):
    response = client.get(reverse("surveys:manage"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_create_from_a_template_with_a_new_title(hr_client, org):
    response = hr_client.post(reverse("surveys:survey_new"), {"template": "ai-sentiment", "title": "Feelings about AI",
                                                                 "mode": "anonymous"})
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("surveys:survey", args=[survey.pk])
    assert (survey.title, survey.mode, survey.template_key, survey.created_by) == (
        "Feelings about AI", "anonymous", "ai-sentiment", org.hr)
    assert survey.questions.count() == sum(len(s["questions"]) for s in AI_SENTIMENT["sections"])
    assert AuditEvent.objects.filter(action="survey created", target="Feelings about AI").exists()


def test_create_keeps_the_template_title_when_none_is_given(hr_client):
    hr_client.post(reverse("surveys:survey_new"), {"template": "ai-readiness-pulse", "title": "", "mode": "anonymous"})
    assert Survey.objects.get().title == "AI readiness pulse"


@pytest.mark.parametrize("mode", ["anonymous", "named"])
def test_the_mode_is_chosen_at_creation_and_the_comment_hint_follows_it(hr_client, mode):
    """Module feedback is written to be named; made anonymous, its comment question must not tell people
    only to leave out other people's names (that would suggest their own is known)."""
    hr_client.post(reverse("surveys:survey_new"), {"template": "module-feedback", "title": "", "mode": mode})
    survey = Survey.objects.get()
    assert survey.mode == mode
    hint = survey.questions.get(type=Question.Type.TEXT).help_text
    assert ("could identify you" in hint) == (mode == "anonymous")
    assert AuditEvent.objects.get(action="survey created").detail["mode"] == mode


def test_the_mode_is_offered_with_anonymous_chosen_and_must_be_given(hr_client):
    page = hr_client.get(reverse("surveys:survey_new")).content.decode()
    assert 'value="anonymous" checked' in page and 'value="named" checked' not in page
    page = hr_client.post(reverse("surveys:survey_new"), {"template": "ai-sentiment"}).content.decode()
    assert "Choose anonymous or named." in page and not Survey.objects.exists()


def test_create_needs_a_template(hr_client):
    page = hr_client.post(reverse("surveys:survey_new"), {"template": "made-up"}).content.decode()
    assert "Choose a template from the list." in page and 'href="#id_template"' in page
    assert not Survey.objects.exists()


def test_survey_page_lists_questions_and_waves(hr_client):
    survey = make_pulse()
    wave = open_wave(survey, name="Spring wave")
    page = hr_client.get(reverse("surveys:survey", args=[survey.pk])).content.decode()
    for q in survey.questions.all():
        assert q.text in page
    assert "Spring wave" in page and "Close now" in page and f"{wave.invited_count} invited" in page
    assert "Fixed: a wave has opened." in page


# --- Title and mode ----------------------------------------------------------------------------------------

def test_mode_can_change_until_a_wave_opens(hr_client):
    survey = make_pulse()
    url = reverse("surveys:survey_settings", args=[survey.pk])
    assert hr_client.post(url, {"title": "Pulse", "mode": "named"}).status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.mode) == ("Pulse", "named")
    assert AuditEvent.objects.get(action="survey changed").detail["mode"] == ["anonymous", "named"]


def test_mode_is_fixed_once_a_wave_has_opened(hr_client):
    survey = make_pulse()
    open_wave(survey)
    url = reverse("surveys:survey_settings", args=[survey.pk])
    page = hr_client.get(url).content.decode()
    assert "That is fixed" in page and 'name="mode"' not in page
    # A forged POST changes the title only: the disabled field keeps the survey's own mode.
    assert hr_client.post(url, {"title": "New title", "mode": "named"}).status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.mode) == ("New title", "anonymous")


def test_settings_service_refuses_a_mode_change_after_opening(org):
    from django.core.exceptions import ValidationError

    from surveys.services import survey_settings_update

    survey = make_pulse()
    open_wave(survey)
    with pytest.raises(ValidationError):
        survey_settings_update(actor=org.hr, survey=survey, title=survey.title, mode="named")


def test_anonymous_mode_needs_every_question_but_comments_required(hr_client):
    survey = make_pulse(key="module-feedback")
    Question.objects.filter(survey=survey, type="agree5").update(required=False)
    page = hr_client.post(reverse("surveys:survey_settings", args=[survey.pk]),
                          {"title": survey.title, "mode": "anonymous"}).content.decode()
    assert "only free-text questions can be optional" in page
    survey.refresh_from_db()
    assert survey.mode == "named"


# --- Scheduling waves --------------------------------------------------------------------------------------

def _wave_data(**overrides):
    now = timezone.now()
    data = {"name": "Spring", "opens": "later", "opens_at": _local(now + timedelta(days=1)),
            "closes_at": _local(now + timedelta(days=8)), "population": "all", "include_subdepartments": "on"}
    data.update(overrides)
    return data


def test_schedule_a_wave_for_the_organisation(hr_client, org):
    survey = make_pulse()
    response = hr_client.post(reverse("surveys:wave_new", args=[survey.pk]), _wave_data())
    assert response.status_code == 302
    wave = Wave.objects.get()
    assert wave.status == "scheduled" and not wave.departments.exists() and wave.created_by == org.hr
    assert AuditEvent.objects.filter(action="survey wave scheduled").exists()


def test_schedule_a_wave_for_chosen_departments_without_their_teams(hr_client, org):
    for _ in range(5):
        make_staff(org.environment)
    survey = make_pulse()
    hr_client.post(reverse("surveys:wave_new", args=[survey.pk]),
                   _wave_data(population="departments", departments=[org.environment.pk], include_subdepartments=""))
    wave = Wave.objects.get()
    assert list(wave.departments.all()) == [org.environment] and not wave.include_subdepartments


def test_a_wave_that_opens_now_is_open_at_once(hr_client, org):
    survey = make_pulse()
    hr_client.post(reverse("surveys:wave_new", args=[survey.pk]), _wave_data(opens="now", opens_at=""))
    wave = Wave.objects.get()
    assert wave.status == "open" and wave.invited_count == Participation.objects.filter(wave=wave).count() == 7
    assert AuditEvent.objects.filter(action="survey wave opened now").exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Enter a name for the wave."),
    ({"opens_at": ""}, "Enter when the wave opens."),
    ({"opens_at": "2020-01-01T09:00"}, "The opening time must be in the future."),
    ({"closes_at": ""}, "Enter when the wave closes."),
    ({"opens_at": _local(timezone.now() + timedelta(days=9))}, "The closing time must be after the opening time."),
    ({"opens": "now", "closes_at": "2020-01-01T09:00"}, "The closing time must be in the future."),
    ({"closes_at": "not a date"}, "Enter a real date and time."),
    ({"population": "departments"}, "Choose at least one department."),
])
def test_wave_form_errors(hr_client, org, overrides, message):
    survey = make_pulse()
    page = hr_client.post(reverse("surveys:wave_new", args=[survey.pk]), _wave_data(**overrides)).content.decode()
    assert message in page and "govuk-error-summary" in page
    assert not Wave.objects.exists()


def test_a_wave_to_fewer_people_than_the_minimum_group_is_refused(hr_client, org):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 5})
    survey = make_pulse()
    page = hr_client.post(reverse("surveys:wave_new", args=[survey.pk]),
                          _wave_data(population="departments", departments=[org.parks.pk])).content.decode()
    assert "These departments have 0 active staff" in page
    assert not Wave.objects.exists()


# --- Opening and closing now ----------------------------------------------------------------------------------

def _scheduled(survey, name="Later", **times):
    now = timezone.now()
    return Wave.objects.create(survey=survey, name=name, opens_at=times.get("opens", now + timedelta(days=2)),
                               closes_at=times.get("closes", now + timedelta(days=9)))


def test_open_now_and_close_now(hr_client, org):
    survey = make_pulse()
    wave = _scheduled(survey)
    assert hr_client.get(reverse("surveys:wave_open", args=[wave.pk])).status_code == 405
    hr_client.post(reverse("surveys:wave_open", args=[wave.pk]))
    wave.refresh_from_db()
    assert wave.status == "open" and wave.opens_at <= timezone.now() and wave.mode == "anonymous"
    assert hr_client.get(reverse("surveys:wave_close", args=[wave.pk])).status_code == 405
    hr_client.post(reverse("surveys:wave_close", args=[wave.pk]))
    wave.refresh_from_db()
    assert wave.status == "closed" and wave.closes_at <= timezone.now() and figures_release(wave) is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"survey wave opened now", "survey wave closed now"} <= actions


def test_open_now_twice_does_nothing_more(hr_client):
    wave = _scheduled(make_pulse())
    hr_client.post(reverse("surveys:wave_open", args=[wave.pk]))
    response = hr_client.post(reverse("surveys:wave_open", args=[wave.pk]), follow=True)
    assert "This wave has already opened." in response.content.decode()
    assert AuditEvent.objects.filter(action="survey wave opened now").count() == 1


def test_a_wave_past_its_closing_time_cannot_be_opened_now(hr_client):
    now = timezone.now()
    wave = _scheduled(make_pulse(), opens=now - timedelta(days=3), closes=now - timedelta(days=1))
    response = hr_client.post(reverse("surveys:wave_open", args=[wave.pk]), follow=True)
    assert "closing time has passed" in response.content.decode()
    wave.refresh_from_db()
    assert wave.status == "scheduled"


def test_only_an_open_wave_can_be_closed_now(hr_client):
    wave = _scheduled(make_pulse())
    response = hr_client.post(reverse("surveys:wave_close", args=[wave.pk]), follow=True)
    assert "Only an open wave can be closed." in response.content.decode()


@pytest.mark.parametrize("role", ["staff", "env_manager", "res_manager", "author"])
def test_only_hr_opens_and_closes_waves(client, org, role):
    wave = _scheduled(make_pulse())
    client.force_login(getattr(org, role))
    assert client.post(reverse("surveys:wave_open", args=[wave.pk])).status_code == 403
    assert client.post(reverse("surveys:wave_close", args=[wave.pk])).status_code == 403
    wave.refresh_from_db()
    assert wave.status == "scheduled"


def test_a_missing_wave_is_404(hr_client):
    assert hr_client.post(reverse("surveys:wave_open", args=[987654])).status_code == 404
    assert hr_client.get(reverse("surveys:survey", args=[987654])).status_code == 404


def test_the_beat_task_opens_and_closes_scheduled_waves(org):
    from surveys.tasks import waves_tick

    now = timezone.now()
    wave = _scheduled(make_pulse(), opens=now - timedelta(minutes=1), closes=now + timedelta(days=1))
    waves_tick.apply()
    wave.refresh_from_db()
    assert wave.status == "open"


# --- Changing and cancelling a scheduled wave ---------------------------------------------------------------

def _wave_post(**overrides):
    now = timezone.localtime()
    data = {"name": "Autumn pulse", "opens": "later", "opens_at": (now + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=12)).strftime("%Y-%m-%dT%H:%M"), "population": "all",
            "include_subdepartments": "on"}
    data.update(overrides)
    return data


def test_hr_changes_a_scheduled_wave_and_it_is_audited(client, org):
    wave = _scheduled(make_pulse(), name="Autumn")
    for _ in range(4):
        make_staff(org.environment)
    client.force_login(org.hr)
    url = reverse("surveys:wave_edit", args=[wave.pk])
    page = client.get(url).content.decode()
    assert 'value="Autumn"' in page and "Save the changes" in page
    response = client.post(url, _wave_post(population="departments", departments=[str(org.environment.pk)]))
    assert response.status_code == 302
    wave.refresh_from_db()
    assert wave.name == "Autumn pulse" and list(wave.departments.all()) == [org.environment]
    assert wave.status == Wave.Status.SCHEDULED
    event = AuditEvent.objects.get(action="survey wave changed")
    assert event.detail["name"] == ["Autumn", "Autumn pulse"] and event.detail["departments"] == [[], [org.environment.pk]]


def test_changing_a_wave_with_bad_times_shows_errors_and_keeps_the_wave(client, org):
    wave = _scheduled(make_pulse(), name="Autumn")
    client.force_login(org.hr)
    page = client.post(reverse("surveys:wave_edit", args=[wave.pk]),
                       _wave_post(closes_at="2020-01-01T09:00", name="Renamed")).content.decode()
    assert "The closing time must be in the future." in page and 'value="Renamed"' in page
    wave.refresh_from_db()
    assert wave.name == "Autumn"


def test_an_opened_wave_cannot_be_changed_or_cancelled(client, org):
    wave = open_wave(make_pulse())
    client.force_login(org.hr)
    response = client.get(reverse("surveys:wave_edit", args=[wave.pk]), follow=True)
    assert "can no longer be changed" in response.content.decode()
    response = client.post(reverse("surveys:wave_cancel", args=[wave.pk]), follow=True)
    assert "cannot be cancelled. Close it instead." in response.content.decode()
    assert Wave.objects.filter(pk=wave.pk, status=Wave.Status.OPEN).exists()
    with pytest.raises(services.WaveNotReady):
        services.wave_reschedule(actor=org.hr, wave=wave, name="x", opens_at=wave.opens_at, closes_at=wave.closes_at,
                                 departments=[], include_subdepartments=True)


def test_hr_cancels_a_scheduled_wave(client, org):
    wave = _scheduled(make_pulse(), name="Autumn")
    client.force_login(org.hr)
    page = client.get(reverse("surveys:survey", args=[wave.survey_id])).content.decode()
    assert reverse("surveys:wave_cancel", args=[wave.pk]) in page and reverse("surveys:wave_edit", args=[wave.pk]) in page
    response = client.post(reverse("surveys:wave_cancel", args=[wave.pk]), follow=True)
    assert "Autumn cancelled. Nobody had been invited." in response.content.decode()
    assert not Wave.objects.filter(pk=wave.pk).exists()
    assert AuditEvent.objects.filter(action="survey wave cancelled", actor=org.hr).count() == 1
