"""The results pages: what HR and managers see of a wave, open and closed, and what they never see."""

import re

import pytest
from django.urls import reverse

from organisation.models import AuditEvent, Department
from surveys import selectors
from surveys import selectors_results as results
from surveys.models import Answer, Question
from surveys.suppression import cell_key
from tests.clients import Client
from tests.factories import make_department, make_staff
from tests.surveys.test_results_seed import answer, make_pulse, open_wave, run_wave

FEWER = str(selectors.Suppressed(5))  # "fewer than 5 responses, or ..."


def _people(org):
    """Finance 12 (mixed patterns and grades), Waste 8 (frontline, no email), Parks 3, Environment's own 2,
    Resources' own 5 (so that Finance, Resources' only team, can be shown beside them)."""
    finance = [org.staff.profile] + [
        make_staff(org.finance, work_pattern="hybrid" if i % 2 else "office", contract="part-time" if i % 4 == 0 else "full-time",
                   grade_band="B" if i % 3 else "A")
        for i in range(11)]
    waste = [org.frontline.profile] + [make_staff(org.waste, work_pattern="frontline", with_email=False) for _ in range(7)]
    parks = [make_staff(org.parks, work_pattern="frontline") for _ in range(3)]
    environment = [org.env_manager.profile, make_staff(org.environment)]
    resources = [u.profile for u in (org.res_manager, org.hr, org.author, org.admin)] + [make_staff(org.resources)]
    return {"finance": finance, "waste": waste, "parks": parks, "environment": environment, "resources": resources}


@pytest.fixture
def people(org):
    return _people(org)


@pytest.fixture
def closed_wave(org, people):
    survey = make_pulse()
    everyone = [p for group in people.values() for p in group]
    return run_wave(survey, everyone, seed=7, comment_share=1.0)


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _figures(html: str) -> set[str]:
    return set(re.findall(r'data-cell="([^"]+)"', html))


# --- While a wave is open -----------------------------------------------------------------------------------

def test_an_open_wave_shows_hr_only_the_overall_response_rate(client, org, people):
    wave = open_wave(make_pulse())
    answer(wave, people["finance"][:6])
    page = _get(client, org.hr, reverse("surveys:results", args=[wave.pk])).content.decode()
    invited = wave.invited_count
    assert re.search(rf">\s*{invited}\s*<", page) and re.search(r">\s*6\s*<", page)
    assert f"{round(100 * 6 / invited)}%" in page
    assert "data-cell" not in page and "Scores by dimension" not in page and "Answers by question" not in page
    assert "Download" not in page


def test_an_open_wave_shows_a_manager_no_figure(client, org, people):
    wave = open_wave(make_pulse())
    answer(wave, people["waste"])
    page = _get(client, org.env_manager, reverse("surveys:results", args=[wave.pk])).content.decode()
    assert "Results show after the wave closes" in page
    assert "data-cell" not in page and "Response rate so far" not in page


def test_exports_and_comments_wait_for_the_wave_to_close(client, org, people):
    wave = open_wave(make_pulse())
    answer(wave, people["finance"])
    client.force_login(org.hr)
    assert client.get(reverse("surveys:results_csv", args=[wave.pk])).status_code == 404
    assert client.get(reverse("surveys:results_xlsx", args=[wave.pk])).status_code == 404
    page = client.get(reverse("surveys:comments", args=[wave.pk])).content.decode()
    assert "Comments show after the wave closes" in page and "tandem-comment" not in page


# --- A closed wave --------------------------------------------------------------------------------------------

def test_hr_sees_every_section_for_the_organisation(client, org, closed_wave):
    page = _get(client, org.hr, reverse("surveys:results", args=[closed_wave.pk])).content.decode()
    for heading in ("Response rate", "Scores by dimension", "Answers by question", "Departments by dimension",
                    "Trend across waves"):
        assert heading in page
    release = selectors.figures_release(closed_wave)
    shown = _figures(page)
    assert "org" in shown and shown <= release.released
    # Parks has 3 responses: hidden, in words.
    assert f"d{org.parks.pk}" not in shown
    assert FEWER in page
    # Answers by question fold a section at a time (closed, so a phone does not scroll through them all).
    survey = closed_wave.survey
    folded = re.findall(r'<details class="govuk-details tandem-answers-section">\s*<summary class="govuk-details__summary">'
                        r'<span class="govuk-details__summary-text">([^<]+)</span>', page)
    assert folded and folded == [f"{s.title}: {n} question{'s' if n != 1 else ''}" for s in survey.sections.order_by("order")
                      if (n := s.questions.exclude(type="text").count())]
    assert len(re.findall(r'id="answers-caption-\d+"', page)) == survey.questions.exclude(type="text").count()


def test_every_figure_shown_is_a_released_cell_and_hidden_ones_are_never_blank(client, org, closed_wave):
    release = selectors.figures_release(closed_wave)
    client.force_login(org.hr)
    for department in Department.objects.all():
        page = client.get(reverse("surveys:results", args=[closed_wave.pk]), {"department": department.pk}).content.decode()
        assert _figures(page) <= release.released
        # Every table cell in the results is a tagged figure or the words "fewer than N responses".
        region = page.split('id="results"', 1)[1]
        for cell in re.findall(r"<td([^>]*)>(.*?)</td>", region, flags=re.S):
            attrs, text = cell
            assert "data-cell" in attrs or text.strip() == FEWER, (department, cell)


def test_dimension_scores_agree_with_the_selectors(org, closed_wave):
    """The page's rolled-up means are the selectors' means, cell for cell."""
    release = selectors.figures_release(closed_wave)
    page = results.results_page(org.hr, closed_wave, results.Group())
    rows = [("org", page["scores"])] + [(row["key"], row["cells"]) for row in page["rows"]]
    assert len(rows) > 3
    for key, cells in rows:
        expected = selectors.dimension_means(closed_wave, key)
        if not release.is_released(key):
            assert all(c["hidden"] for c in cells)
            continue
        for c in cells:
            assert c["mean"] == pytest.approx(expected[c["dimension"]][0], abs=0.006)
            assert c["responses"] == expected[c["dimension"]][1]


def test_distribution_matches_the_selector(org, closed_wave):
    group = results.Group(org.finance)
    page = results.results_page(org.hr, closed_wave, group)
    for block in page["questions"]:
        expected = selectors.question_distribution(closed_wave, group.key, block["question"])
        assert {r["label"]: r["count"] for r in block["rows"] if r["count"]} == {
            results.AGREE_LABELS[v]: n for v, n in expected.items()}
        assert sum(r["count"] for r in block["rows"]) == block["total"] == 12


def test_barrier_point_is_named_with_its_figure(org, closed_wave):
    page = results.results_page(org.hr, closed_wave, results.Group())
    means = selectors.adkar_means(closed_wave)
    assert page["barrier"] == means["barrier"]


def test_filters_narrow_the_group_and_show_only_released_cells(client, org, closed_wave):
    release = selectors.figures_release(closed_wave)
    page = _get(client, org.hr, reverse("surveys:results", args=[closed_wave.pk]),
                department=org.finance.pk, work_pattern="hybrid").content.decode()
    key = cell_key(f"d{org.finance.pk}", (("work_pattern", "hybrid"),))
    assert "Finance and the teams beneath it: Hybrid" in page
    assert (key in _figures(page)) == release.is_released(key)
    assert _figures(page) <= release.released


def test_one_attribute_at_a_time(client, org, closed_wave):
    """Two attributes at once let figures be combined to single people out (issue 10): refused."""
    page = _get(client, org.hr, reverse("surveys:results", args=[closed_wave.pk]),
                work_pattern="office", contract="full-time").content.decode()
    assert ("Choose one of work pattern, contract, work email and grade band at a time: figures for two at "
            "once could be combined to single people out.") in page
    assert "data-cell" not in page
    for fmt in ("csv", "xlsx"):
        response = _get(client, org.hr, reverse(f"surveys:results_{fmt}", args=[closed_wave.pk]),
                        work_pattern="office", contract="full-time")
        assert response.status_code == 400, fmt
    page = _get(client, org.hr, reverse("surveys:results", args=[closed_wave.pk]), work_pattern="office").content.decode()
    assert "Choose one of" not in page


def test_an_unknown_attribute_value_is_an_error_not_a_figure(client, org, closed_wave):
    page = _get(client, org.hr, reverse("surveys:results", args=[closed_wave.pk]), work_pattern="astronaut").content.decode()
    assert "Choose a work pattern from the list." in page and "data-cell" not in page


def test_people_without_a_value_are_a_hidden_part_not_a_filter(client, org, closed_wave):
    """Grade band is optional: only Finance's staff have one here. The grades are offered, the people
    without one are not, and their part counts like any other, so the grades shown never leave a group
    under N as the whole minus the grades (nobody outside Finance has a grade: the organisation minus A minus B)."""
    assert [v for v, _ in results.filter_choices(closed_wave)["grade_band"]] == ["A", "B"]
    release = selectors.figures_release(closed_wave)
    assert release.counts["org|grade_band=?"] == 19  # everyone outside Finance, and Sam
    page = _get(client, org.hr, reverse("surveys:results", args=[closed_wave.pk]), grade_band="B").content.decode()
    assert "Grade band" in page and "|grade_band=?" not in page
    page = _get(client, org.hr, reverse("surveys:results", args=[closed_wave.pk]), grade_band="?").content.decode()
    assert "Choose a grade band from the list." in page and "data-cell" not in page


def test_a_small_group_without_a_value_hides_a_grade_with_it(org):
    """Two people in a department of ten have no grade band: hidden, and with them the smallest grade, so
    the department minus the grades shown is never two people."""
    people = [make_staff(org.finance, grade_band="A") for _ in range(5)] + \
        [make_staff(org.finance, grade_band="B") for _ in range(6)] + [make_staff(org.finance) for _ in range(2)]
    wave = run_wave(make_pulse(), people, departments=[org.finance])
    release = selectors.figures_release(wave)
    fin = f"d{org.finance.pk}"
    assert release.is_released(fin)
    assert not release.is_released(f"{fin}|grade_band=?") and release.counts[f"{fin}|grade_band=?"] == 2
    assert not release.is_released(f"{fin}|grade_band=A") and release.is_released(f"{fin}|grade_band=B")


def test_an_attribute_recorded_for_everyone_is_offered(org, people):
    from organisation.models import StaffProfile

    StaffProfile.objects.filter(grade_band="").update(grade_band="C")
    wave = run_wave(make_pulse(), list(StaffProfile.objects.filter(pk__in=[p.pk for g in people.values() for p in g])))
    assert [v for v, _ in results.filter_choices(wave)["grade_band"]] == ["A", "B", "C"]


def test_viewing_results_is_audited(client, org, closed_wave):
    _get(client, org.hr, reverse("surveys:results", args=[closed_wave.pk]), department=org.finance.pk)
    event = AuditEvent.objects.get(action="survey results viewed")
    assert event.actor == org.hr and event.detail == {"wave": closed_wave.pk, "group": f"d{org.finance.pk}"}


# --- Managers ---------------------------------------------------------------------------------------------------

def test_a_manager_starts_at_their_department_and_never_sees_the_organisation(client, org, closed_wave):
    page = _get(client, org.env_manager, reverse("surveys:results", args=[closed_wave.pk])).content.decode()
    assert "Environment and the teams beneath it" in page
    assert "Whole organisation" not in page and "The whole organisation" not in page
    shown = _figures(page)
    env_subtree = {f"d{d.pk}" for d in (org.environment, org.waste, org.parks)} | {f"d{org.environment.pk}!"}
    assert shown and all(k.split("|")[0] in env_subtree for k in shown)


def test_a_manager_gets_404_for_other_departments(client, org, closed_wave):
    client.force_login(org.env_manager)
    url = reverse("surveys:results", args=[closed_wave.pk])
    for department in (org.finance, org.resources, org.council):
        for name in ("surveys:results", "surveys:results_csv", "surveys:results_xlsx", "surveys:comments"):
            assert client.get(reverse(name, args=[closed_wave.pk]), {"department": department.pk}).status_code == 404
    assert client.get(url, {"department": 999999}).status_code == 404
    assert client.get(url, {"department": org.waste.pk}).status_code == 200


def test_a_manager_gets_404_for_a_wave_not_sent_to_their_departments(client, org, people):
    wave = run_wave(make_pulse(), people["finance"], departments=[org.resources])
    client.force_login(org.env_manager)
    assert client.get(reverse("surveys:results", args=[wave.pk])).status_code == 404
    assert wave not in results.waves_for_user(org.env_manager)
    client.force_login(org.res_manager)
    assert client.get(reverse("surveys:results", args=[wave.pk])).status_code == 200


def test_staff_and_authors_may_not_see_results(client, org, closed_wave):
    for user in (org.staff, org.author, org.frontline):
        client.force_login(user)
        assert client.get(reverse("surveys:results", args=[closed_wave.pk])).status_code == 403


# --- Comments ---------------------------------------------------------------------------------------------------

def _big_comment_wave(org, n=12):
    """A wave sent to Finance only, where everyone writes a comment."""
    finance = [org.staff.profile] + [make_staff(org.finance) for _ in range(n - 1)]
    return run_wave(make_pulse(), finance, comment_share=1.0, departments=[org.finance]), finance


def test_comments_of_a_released_cell_in_random_order_without_dates(client, org):
    wave, _ = _big_comment_wave(org)
    client.force_login(org.hr)
    page = client.get(reverse("surveys:comments", args=[wave.pk]), {"department": org.finance.pk}).content.decode()
    texts = re.findall(r'<p class="govuk-body tandem-comment__text">(.*?)</p>', page, flags=re.S)
    assert len(texts) == 12
    assert "Themes" in page and "Job security" in page
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", page)

    def order(c):
        return tuple(re.findall(r'comments/([0-9a-f-]{36})/hide/', c.get(
            reverse("surveys:comments", args=[wave.pk]), {"department": org.finance.pk}).content.decode()))
    assert order(client) == order(client)  # one reader's order holds, so paging neither repeats nor skips
    orders = set()
    for _ in range(6):
        other = Client()
        other.force_login(org.hr)
        orders.add(order(other))
    assert len(orders) > 1  # random for each reader, not submission order


def test_comments_are_paged_and_filtered_keeping_the_filters(client, org):
    wave, _ = _big_comment_wave(org, n=30)
    client.force_login(org.hr)
    url = reverse("surveys:comments", args=[wave.pk])
    seen = []
    for number in (1, 2):
        page = client.get(url, {"department": org.finance.pk, "page": number}).content.decode()
        seen += re.findall(r'comments/([0-9a-f-]{36})/hide/', page)
    assert len(seen) == 30 == len(set(seen))  # 25 then 5, none twice
    assert f"?department={org.finance.pk}&amp;page=1" in page
    page = client.get(url, {"department": org.finance.pk, "theme": "job-security", "sentiment": "Negative"}).content.decode()
    assert "Comments about job security and scored negative" in page
    shown = len(re.findall(r'tandem-comment__text', page))
    assert 0 < shown < 30


def test_bad_comment_filters_are_field_errors(client, org):
    wave, _ = _big_comment_wave(org)
    client.force_login(org.hr)
    response = client.get(reverse("surveys:comments", args=[wave.pk]),
                          {"department": org.finance.pk, "theme": "nonsense", "sentiment": "ecstatic", "page": "x"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a theme from the list" in page and "Choose positive, neutral or negative" in page
    assert len(re.findall(r'tandem-comment__text', page)) == 12  # the bad filters are not applied


def test_comments_of_a_small_cell_are_not_shown(client, org):
    wave, _ = _big_comment_wave(org, n=8)  # 8 writers: under the comment threshold of 10
    client.force_login(org.hr)
    page = client.get(reverse("surveys:comments", args=[wave.pk]), {"department": org.finance.pk}).content.decode()
    assert "tandem-comment__text" not in page and "fewer than 10 responses" in page


def test_hr_hides_a_comment_and_it_is_audited(client, org):
    wave, _ = _big_comment_wave(org)
    target = Answer.objects.filter(response__wave=wave, question__type=Question.Type.TEXT).first()
    client.force_login(org.hr)
    url = reverse("surveys:comment_hide", args=[wave.pk, target.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"hidden": "1", "department": org.finance.pk})
    assert response.status_code == 302 and response["Location"].endswith(f"?department={org.finance.pk}")
    target.refresh_from_db()
    assert target.hidden
    assert AuditEvent.objects.filter(action="survey comment hidden", actor=org.hr).exists()
    page = client.get(reverse("surveys:comments", args=[wave.pk]), {"department": org.finance.pk}).content.decode()
    assert len(re.findall(r'tandem-comment__text', page)) == 12  # 11 shown + 1 under "Hidden by HR"
    assert "Hidden by HR" in page
    client.post(url, {"hidden": "0"})
    target.refresh_from_db()
    assert not target.hidden


def test_managers_cannot_hide_comments(client, org):
    wave, _ = _big_comment_wave(org)
    target = Answer.objects.filter(response__wave=wave, question__type=Question.Type.TEXT).first()
    client.force_login(org.res_manager)
    assert client.post(reverse("surveys:comment_hide", args=[wave.pk, target.pk])).status_code == 403


def test_a_comment_of_another_wave_is_404(client, org):
    wave, _ = _big_comment_wave(org)
    other = run_wave(make_pulse(), [org.hr.profile], comment_share=1.0)
    foreign = Answer.objects.filter(response__wave=other, question__type=Question.Type.TEXT).first()
    client.force_login(org.hr)
    assert client.post(reverse("surveys:comment_hide", args=[wave.pk, foreign.pk])).status_code == 404


def test_comments_are_offered_by_department_only(client, org):
    """No attribute filter on the comments page: two overlapping lists would single out their overlap."""
    wave, _ = _big_comment_wave(org)
    client.force_login(org.hr)
    page = client.get(reverse("surveys:comments", args=[wave.pk]), {"work_pattern": "office"}).content.decode()
    assert 'name="work_pattern"' not in page


# --- Named answers ------------------------------------------------------------------------------------------------

def test_named_answers_are_for_hr_only(client, org, people):
    survey = make_pulse(key="module-feedback")
    wave = run_wave(survey, people["waste"], comment_share=1.0)
    url = reverse("surveys:named_answers", args=[wave.pk])
    client.force_login(org.hr)
    page = client.get(url).content.decode()
    assert "Dave" in page and org.frontline.profile.staff_number in page
    assert AuditEvent.objects.filter(action="survey named answers viewed").exists()
    client.force_login(org.env_manager)  # their own staff, but DESIGN.md: named answers are shown to HR only
    assert client.get(url).status_code == 403


def test_named_answers_do_not_exist_for_anonymous_waves(client, org, closed_wave):
    client.force_login(org.hr)
    assert client.get(reverse("surveys:named_answers", args=[closed_wave.pk])).status_code == 404


# --- Over time --------------------------------------------------------------------------------------------------

def test_trend_lists_each_closed_wave(client, org, people):
    survey = make_pulse()
    everyone = [p for group in people.values() for p in group]
    first = run_wave(survey, everyone, seed=1, name="Autumn", opened_days_ago=90)
    second = run_wave(survey, everyone, seed=2, name="Spring")
    page = results.results_page(org.hr, second, results.Group())
    assert [row["wave"] for row in page["trend"]] == [first, second]
    assert not page["trend"][0]["hidden"]
    expected = selectors.dimension_means(first, "org")
    assert page["trend"][0]["cells"][0]["mean"] == round(expected[page["trend"][0]["cells"][0]["dimension"]][0], 2)


def test_a_department_moved_after_the_wave_closed_keeps_the_shape_the_wave_saw(org, closed_wave):
    """The release was decided for the tree as it was, and is stored with it: moving Waste to Resources
    later changes neither Environment's figures nor Resources'; renaming a department relabels it."""
    before = results.results_page(org.hr, closed_wave, results.Group(org.environment))
    assert not before["hidden"]
    Department.objects.filter(pk=org.waste.pk).update(parent=org.resources, name="Waste and Recycling")
    after = results.results_page(org.hr, closed_wave, results.Group(org.environment))
    assert after["scores"] == before["scores"] and after["rate"] == before["rate"]
    assert [r["scope"] for r in after["rows"]] == [r["scope"] for r in before["rows"]]
    assert "Waste and Recycling" in [r["label"] for r in after["rows"]]
    resources = results.results_page(org.hr, closed_wave, results.Group(org.resources))
    assert f"d{org.waste.pk}" not in [r["scope"] for r in resources["rows"]]


def test_a_cell_whose_responses_changed_since_closing_is_hidden(org, closed_wave):
    """The decision was made for the responses as they were; if they change (a response moved by hand),
    the cells concerned are hidden rather than shown with figures the decision never saw."""
    from surveys.models import Response

    assert not results.results_page(org.hr, closed_wave, results.Group(org.finance))["hidden"]
    moved = Response.objects.filter(wave=closed_wave, department=org.finance).values_list("pk", flat=True)[0]
    Response.objects.filter(pk=moved).update(department=org.parks)
    assert results.results_page(org.hr, closed_wave, results.Group(org.finance))["hidden"]


def test_page_queries_do_not_grow_with_departments(client, org, closed_wave, django_assert_max_num_queries):
    client.force_login(org.hr)
    url = reverse("surveys:results", args=[closed_wave.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as first:
        client.get(url)
    for i in range(15):
        make_department(f"EXTRA-{i}", f"Extra {i}", org.resources)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
