"""Staff answering surveys: who may see which wave (404 for anyone it was not sent to, or before it
opens), the anonymity statement taken from the wave, answering once, and errors that keep what was typed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisation.models import CouncilSettings, User
from surveys import services
from surveys.models import HeldResponse, Participation, Response, Survey, Wave
from tests.factories import make_staff
from tests.surveys.conftest import empty_box, make_survey, make_wave, nothing_recorded


def open_wave(survey, **kwargs) -> Wave:
    return services.wave_open(wave_id=make_wave(survey, **kwargs).pk)


def close(wave) -> Wave:
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    return services.wave_close(wave_id=wave.pk)


def good_answers(survey) -> dict:
    """A complete, valid POST for any survey: middle answers, first choices, a short comment."""
    data = {}
    for q in survey.questions.all():
        name = f"q{q.pk}"
        if q.type == "agree5":
            data[name] = "4"
        elif q.type == "scale10":
            data[name] = "7"
        elif q.type in ("single", "multiple"):
            data[name] = q.choices[0]["id"]
        else:
            data[name] = "More time to practise."
    return data


def answer_url(wave):
    return reverse("surveys:answer", args=[wave.pk])


@pytest.fixture
def wave(org, survey):
    return open_wave(survey)


@pytest.fixture
def staff_client(client, org):
    client.force_login(org.staff)
    return client


# --- The list ---------------------------------------------------------------------------------------------

def test_list_shows_open_waves_to_answer_and_those_answered(org, staff_client):
    to_answer = open_wave(make_survey())
    Survey.objects.filter(pk=to_answer.survey_id).update(title="Readiness pulse")
    answered_survey = make_survey()
    Survey.objects.filter(pk=answered_survey.pk).update(title="Sentiment")
    answered = open_wave(answered_survey)
    services.response_submit(profile=org.staff.profile, wave=answered, answers={})
    closed = close(open_wave(make_survey(), closes=1))
    scheduled = make_wave(make_survey(), opens=2)
    elsewhere = make_wave(make_survey())
    elsewhere.departments.add(org.environment)
    services.wave_open(wave_id=elsewhere.pk)

    page = staff_client.get(reverse("surveys:my_surveys"))
    html = page.content.decode()
    assert page.status_code == 200
    assert [w.pk for w in page.context["to_answer"]] == [to_answer.pk]
    assert [w.pk for w in page.context["answered"]] == [answered.pk]
    assert f'href="{answer_url(to_answer)}"' in html
    assert "Readiness pulse" in html and "Sentiment" in html
    assert "Thank you, you have answered" in html
    for hidden in (closed, scheduled, elsewhere):
        assert answer_url(hidden) not in html
    # The script keeps saved answers only for waves still open to this person.
    assert f'data-open-waves="{to_answer.pk} "' in html


def test_list_for_someone_sent_nothing(db, client):
    user = User.objects.create_user(username="visitor", password="x")  # no staff profile
    client.force_login(user)
    page = client.get(reverse("surveys:my_surveys"))
    assert page.status_code == 200
    assert "There are no surveys for you to answer at the moment." in page.content.decode()


def test_list_query_count_does_not_grow_with_waves(org, staff_client, django_assert_max_num_queries):
    open_wave(make_survey())
    url = reverse("surveys:my_surveys")
    staff_client.get(url)  # warm up
    # session, user, groups and managed departments (navigation roles), council settings, the person's
    # invitations with their waves and surveys, session save: about 8, never one per wave.
    with django_assert_max_num_queries(10) as first:
        staff_client.get(url)
    for _ in range(5):
        wave = open_wave(make_survey())
        services.response_submit(profile=org.staff.profile, wave=wave, answers={})
        open_wave(make_survey())
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = staff_client.get(url)
    assert len(page.context["to_answer"]) == 6 and len(page.context["answered"]) == 5


# --- Who may see a wave -----------------------------------------------------------------------------------

def test_a_wave_not_sent_to_you_is_404(org, survey, client):
    wave = make_wave(survey)
    wave.departments.add(org.environment)
    services.wave_open(wave_id=wave.pk)
    client.force_login(org.staff)  # Finance
    for url in (answer_url(wave), reverse("surveys:answer_thanks", args=[wave.pk])):
        assert client.get(url).status_code == 404
    assert client.post(answer_url(wave), good_answers(survey)).status_code == 404
    assert nothing_recorded()
    client.force_login(org.frontline)  # Waste Collection, inside Environment
    assert client.get(answer_url(wave)).status_code == 200


def test_a_wave_not_open_yet_is_404_like_one_that_does_not_exist(org, survey, staff_client):
    scheduled = make_wave(survey, opens=1)
    services.wave_open(wave_id=scheduled.pk)
    assert staff_client.get(answer_url(scheduled)).status_code == 404
    assert staff_client.get(reverse("surveys:answer", args=[scheduled.pk + 1000])).status_code == 404


def test_someone_without_a_staff_profile_gets_404(wave, client):
    client.force_login(User.objects.create_user(username="visitor", password="x"))
    assert client.get(answer_url(wave)).status_code == 404


def test_a_closed_wave_says_so_to_those_it_was_sent_to(org, survey, staff_client, client):
    wave = close(open_wave(survey, closes=1))
    page = staff_client.get(answer_url(wave))
    assert page.status_code == 200
    assert "This survey has closed" in page.content.decode()
    posted = staff_client.post(answer_url(wave), good_answers(survey))
    assert "Your answers were not sent, because the survey had closed." in posted.content.decode()
    assert nothing_recorded()
    # ...and stays hidden from everyone else.
    newcomer = make_staff(org.finance, first="Nina")
    client.force_login(newcomer.user)
    assert client.get(answer_url(wave)).status_code == 404


def test_wrong_methods_are_405(wave, staff_client):
    assert staff_client.post(reverse("surveys:my_surveys")).status_code == 405
    assert staff_client.put(answer_url(wave)).status_code == 405
    assert staff_client.delete(answer_url(wave)).status_code == 405
    assert staff_client.post(reverse("surveys:answer_thanks", args=[wave.pk])).status_code == 405


def test_signed_out_people_are_sent_to_sign_in(wave, client):
    page = client.get(answer_url(wave))
    assert page.status_code == 302 and page.url.startswith(reverse("account_login"))


# --- The first page ---------------------------------------------------------------------------------------

def test_the_anonymity_statement_uses_the_waves_fixed_thresholds(org, survey, staff_client):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 6, "min_comment_group_size": 12})
    wave = open_wave(survey)
    CouncilSettings.objects.filter(pk=1).update(min_group_size=3, min_comment_group_size=3)
    html = staff_client.get(answer_url(wave)).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Your answers are anonymous." in text
    assert ("Tandem does not store your name, your account or the time with your answers. It records only "
            "that you took part, so you are not sent reminders.") in text
    assert "only for groups of at least 6 people. Comments are shown only for groups of at least 12 people." in text
    assert "Please do not put names in comments: they are removed." in text


def test_a_named_survey_says_who_sees_the_answers(org, staff_client):
    wave = open_wave(make_survey(mode=Survey.Mode.NAMED))
    html = staff_client.get(answer_url(wave)).content.decode()
    assert "This survey is not anonymous." in html
    assert "HR (the people running this survey) can see your answers with your name." in html
    assert "Your answers are anonymous" not in html


def test_every_question_type_is_rendered_as_govuk_controls(org, staff_client):
    survey = services.survey_create_from_template(actor=None, key="ai-sentiment")
    feedback = services.survey_create_from_template(actor=None, key="module-feedback")
    html = staff_client.get(answer_url(open_wave(survey))).content.decode()
    html += staff_client.get(answer_url(open_wave(feedback))).content.decode()
    agree = feedback.questions.filter(type="agree5").first()
    assert len(re.findall(rf'type="radio" value="\d"[^>]*>\s*<label[^>]*for="id_q{agree.pk}_\d"', html)) == 5
    assert "Strongly disagree" in html and "Neither agree nor disagree" in html and "Strongly agree" in html
    scale = feedback.questions.get(type="scale10")
    assert len(re.findall(rf'name="q{scale.pk}" type="radio"', html)) == 11
    assert "0 (lowest)" in html and "10 (highest)" in html
    worries = survey.questions.get(type="multiple")
    assert len(re.findall(rf'name="q{worries.pk}" type="checkbox"', html)) == 7
    assert re.search(rf'name="q{worries.pk}" type="checkbox" value="g" data-behaviour="exclusive"', html)
    comment = survey.questions.filter(type="text").first()
    assert 'class="govuk-form-group govuk-character-count" data-module="govuk-character-count" data-maxlength="2000"' in html
    assert re.search(rf'<textarea class="govuk-textarea govuk-js-character-count" id="id_q{comment.pk}"', html)
    assert "maxlength=" not in html.split("<textarea")[1].split(">")[0]  # the count warns; nothing cuts text off
    assert comment.help_text in html
    # Sections are fieldsets with legends, each saying which it is when there are several (the script shows
    # them a page each); a survey of one section says nothing of the kind.
    sections = re.findall(r'<div class="tandem-survey-section" data-survey-section="\d+">\s*<fieldset class="govuk-fieldset">\s*'
                          r'<legend class="govuk-fieldset__legend govuk-fieldset__legend--l">', html)
    assert len(sections) == survey.sections.count() + 1
    assert html.count("data-survey-pages") == 1  # the sentiment survey, not the feedback one
    assert '<span class="govuk-caption-l">Section 3 of 5</span> Worries</h2>' in html
    assert "of 1</span>" not in html
    # What the script needs to check a section before moving on, as the server words it.
    assert re.search(rf'data-question="10" data-field="id_q{worries.pk}" data-first-id="id_q{worries.pk}_0" '
                     rf'data-kind="multiple" data-required="Select the answers that apply, or \u2018None of these\u2019"',
                     html)
    assert 'data-too-long="Your answer must be 2,000 characters or fewer"' in html
    assert '<script type="module" src="/static/tandem/survey.mjs"' in html


# --- Answering --------------------------------------------------------------------------------------------

def test_answering_records_one_anonymous_response_and_thanks(org, survey, wave, staff_client):
    page = staff_client.post(answer_url(wave), good_answers(survey))
    assert page.status_code == 302 and page.url == reverse("surveys:answer_thanks", args=[wave.pk])
    # In the ballot box until a batch (or the close) stores it.
    assert HeldResponse.objects.filter(wave=wave).count() == 1 and not Response.objects.exists()
    assert empty_box(wave) == 1
    response = Response.objects.get()
    assert response.profile_id is None and response.wave_id == wave.pk
    assert response.answers.count() == 3
    assert Participation.objects.get(wave=wave, profile=org.staff.profile).responded
    thanks = staff_client.get(page.url)
    assert thanks.status_code == 200
    html = thanks.content.decode()
    assert "Thank you" in html and f'data-survey-done data-wave="{wave.pk}"' in html
    # Nothing about the answer is kept in the person's session either.
    session = staff_client.session
    assert not [k for k, _ in session.items() if not k.startswith("_")]


def test_every_type_of_answer_is_accepted_from_the_shipped_surveys(org, staff_client):
    for key in ("ai-readiness-pulse", "ai-sentiment", "module-feedback"):
        survey = services.survey_create_from_template(actor=None, key=key)
        wave = open_wave(survey)
        assert staff_client.post(answer_url(wave), good_answers(survey)).status_code == 302, key
        assert empty_box(wave) == (survey.mode == Survey.Mode.ANONYMOUS), key  # named ones are stored at once
        assert Response.objects.get(wave=wave).answers.count() == survey.questions.count()


def test_a_second_submit_is_409_and_records_nothing(org, survey, wave, staff_client):
    staff_client.post(answer_url(wave), good_answers(survey))
    again = staff_client.post(answer_url(wave), good_answers(survey))
    assert again.status_code == 409
    assert "You have already answered" in again.content.decode()
    assert HeldResponse.objects.count() == 1 and not Response.objects.exists()
    # Coming back to the page later is not an error: the same message, 200.
    later = staff_client.get(answer_url(wave))
    assert later.status_code == 200 and "You have already answered" in later.content.decode()


def test_a_submit_that_loses_the_race_is_409(org, survey, wave, staff_client, monkeypatch):
    """Two tabs submitting at once: both pass the page's check; the service lets one through."""
    def already(**kwargs):
        raise services.AlreadyResponded

    monkeypatch.setattr(services, "response_submit", already)
    page = staff_client.post(answer_url(wave), good_answers(survey))
    assert page.status_code == 409 and "You have already answered" in page.content.decode()


def test_thanks_before_answering_goes_to_the_survey(wave, staff_client):
    page = staff_client.get(reverse("surveys:answer_thanks", args=[wave.pk]))
    assert page.status_code == 302 and page.url == answer_url(wave)


def test_bad_answers_are_shown_with_errors_and_nothing_typed_is_lost(org, survey, wave, staff_client):
    first, second = survey.questions.filter(type="agree5").order_by("order")
    comment = survey.questions.get(type="text")
    typed = "I'd like <b>more</b> time\r\nto practise & learn."
    page = staff_client.post(answer_url(wave), {f"q{first.pk}": "9", f"q{comment.pk}": typed})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Error: " in html
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert f'href="#id_q{first.pk}_0">Question 1: Select how much you agree or disagree' in summary
    assert f'href="#id_q{second.pk}_0">Question 2: Select how much you agree or disagree' in summary
    assert f'id="id_q{first.pk}-error"' in html and "govuk-form-group--error" in html
    # What was typed comes back, escaped, line break and all.
    assert "I&#x27;d like &lt;b&gt;more&lt;/b&gt; time\r\nto practise &amp; learn.</textarea>" in html
    assert nothing_recorded()
    assert not Participation.objects.get(wave=wave, profile=org.staff.profile).responded

    # A valid choice is kept when another question is wrong.
    page = staff_client.post(answer_url(wave), {f"q{first.pk}": "2", f"q{comment.pk}": "x" * 2001})
    html = page.content.decode()
    assert re.search(rf'id="id_q{first.pk}_1" name="q{first.pk}" type="radio" value="2" checked', html)
    assert f'href="#id_q{comment.pk}">Question 3: Your answer must be 2,000 characters or fewer' in html
    assert "data-bound" in html  # the script saves what was sent rather than filling in an older draft


def test_an_empty_post_is_validated_not_ignored(survey, wave, staff_client):
    page = staff_client.post(answer_url(wave), {})
    assert page.status_code == 200 and "There is a problem" in page.content.decode()
    assert nothing_recorded()


def test_saved_answers_are_marked_with_an_opaque_owner(org, wave, staff_client):
    """The script deletes drafts that are not the signed-in person's (shared devices); the mark it
    uses names no one."""
    html = staff_client.get(answer_url(wave)).content.decode()
    owner = re.search(r'data-draft-owner="([^"]+)"', html).group(1)
    assert re.fullmatch(r"[0-9a-f]{20}", owner)  # a keyed hash: not the id, name, email or staff number
    client_two = staff_client.__class__()
    client_two.force_login(org.frontline)
    other = re.search(r'data-draft-owner="([^"]+)"', client_two.get(answer_url(wave)).content.decode()).group(1)
    assert other != owner


def test_survey_page_query_count_does_not_grow_with_questions(org, staff_client, django_assert_num_queries,
                                                              django_assert_max_num_queries):
    small = open_wave(make_survey())  # 3 questions
    large = open_wave(services.survey_create_from_template(actor=None, key="ai-sentiment"))  # 13
    staff_client.get(answer_url(small))  # warm up
    # session, user, roles for the navigation, council settings, the invitation with its wave, survey and
    # profile, the questions with their sections, session save: about 10, however many questions.
    with django_assert_max_num_queries(12) as small_queries:
        staff_client.get(answer_url(small))
    with django_assert_num_queries(len(small_queries.captured_queries)):
        staff_client.get(answer_url(large))
