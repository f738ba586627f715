"""courses.selectors.progress, the figures adoption/ reads: exact numbers on a small organisation.

Today is 10 January 2030. Two modules, A and B. Enrolments (all staff active unless said):
  Dave   Waste Collection  frontline, full-time, no email   A due 1 Jan, not started (overdue)
                                                          B due 1 Feb, completed, score 90, confidence 2 -> 4
  Morgan Environment       office, full-time, email       A due 1 Feb, in progress, score 40, confidence 3 -> -
  Pat    Parks             hybrid, part-time, email,       A due 1 Jan, completed, score 100, confidence 1 -> 3
         grade "Grades 1-3"
  Sam    Finance           office, full-time, email       A optional (no due date), in progress, score 60, 4 -> -
  Lee    Waste Collection  a leaver                       A due 1 Jan, not started: counted nowhere
"""

from datetime import date

import pytest

from courses.models import Enrolment, Module
from courses.selectors import progress
from courses.selectors.progress import Completion, Confidence, Knowledge
from organisation.models import StaffProfile
from tests.factories import make_staff

TODAY = date(2030, 1, 10)
JAN, FEB = date(2030, 1, 1), date(2030, 2, 1)


@pytest.fixture
def figures(org):
    a = Module.objects.create(slug="a", title="A", summary="s", confidence_question="q", published=True, order=1)
    b = Module.objects.create(slug="b", title="B", summary="s", confidence_question="q", published=True, order=2)
    pat = make_staff(org.parks, first="Pat", work_pattern="hybrid", contract="part-time", grade_band="Grades 1-3")
    lee = make_staff(org.waste, first="Lee")
    StaffProfile.objects.filter(pk=lee.pk).update(active=False)
    dave, morgan, sam = org.frontline.profile, org.env_manager.profile, org.staff.profile
    rows = [
        (dave, a, JAN, "not-started", None, None, None),
        (dave, b, FEB, "completed", 90, 2, 4),
        (morgan, a, FEB, "in-progress", 40, 3, None),
        (pat, a, JAN, "completed", 100, 1, 3),
        (sam, a, None, "in-progress", 60, 4, None),
        (lee, a, JAN, "not-started", None, None, None),
    ]
    Enrolment.objects.bulk_create([
        Enrolment(profile=p, module=m, due_date=due, status=status, best_score=score, confidence_before=before,
                  confidence_after=after)
        for p, m, due, status, score, before, after in rows
    ])
    return {"a": a, "b": b}


def test_completion_by_department_rolls_subtrees_up(org, figures):
    result = progress.completion_by_department(org.hr, today=TODAY)
    assert result == {
        org.council.pk: Completion(assigned=4, completed=2, overdue=1),
        org.environment.pk: Completion(4, 2, 1),
        org.waste.pk: Completion(2, 1, 1),
        org.parks.pk: Completion(1, 1, 0),
        org.resources.pk: Completion(0, 0, 0),
        org.finance.pk: Completion(0, 0, 0),  # Sam's module is optional: not assigned
    }
    assert result[org.environment.pk].rate == 50.0
    assert result[org.finance.pk].rate is None


def test_completion_in_a_managers_scope_and_for_a_given_list(org, figures):
    assert progress.completion_by_department(org.env_manager, today=TODAY) == {
        org.environment.pk: Completion(4, 2, 1), org.waste.pk: Completion(2, 1, 1), org.parks.pk: Completion(1, 1, 0)}
    assert progress.completion_by_department(org.res_manager, today=TODAY) == {
        org.resources.pk: Completion(0, 0, 0), org.finance.pk: Completion(0, 0, 0)}
    # A list already scoped: the subtree counts only departments in the list.
    assert progress.completion_by_department([org.environment.pk, org.parks.pk], today=TODAY) == {
        org.environment.pk: Completion(2, 1, 0), org.parks.pk: Completion(1, 1, 0)}
    assert progress.completion_by_department(org.staff, today=TODAY) == {}


def test_completion_of_one_module(org, figures):
    result = progress.completion_by_department(org.hr, module_ids=[figures["a"].pk], today=TODAY)
    assert result[org.environment.pk] == Completion(3, 1, 1)
    # Overdue depends on the day: on 2 February Morgan's A is overdue too.
    later = progress.completion_by_department(org.hr, module_ids=[figures["a"].pk], today=date(2030, 2, 2))
    assert later[org.environment.pk] == Completion(3, 1, 2)


def test_completion_by_attribute(org, figures):
    assert progress.completion_by_attribute(org.hr, "work_pattern", today=TODAY) == {
        "frontline": Completion(2, 1, 1), "hybrid": Completion(1, 1, 0), "office": Completion(1, 0, 0)}
    assert progress.completion_by_attribute(org.hr, "has_work_email", today=TODAY) == {
        False: Completion(2, 1, 1), True: Completion(2, 1, 0)}
    assert progress.completion_by_attribute(org.hr, "contract", today=TODAY) == {
        "full-time": Completion(3, 1, 1), "part-time": Completion(1, 1, 0)}
    assert progress.completion_by_attribute(org.hr, "grade_band", today=TODAY) == {
        "": Completion(3, 1, 1), "Grades 1-3": Completion(1, 1, 0)}
    assert progress.completion_by_attribute(org.res_manager, "work_pattern", today=TODAY) == {
        "office": Completion(0, 0, 0)}  # Sam, optional only
    with pytest.raises(ValueError):
        progress.completion_by_attribute(org.hr, "ethnicity_group")


def test_knowledge(org, figures):
    result = progress.knowledge_by_department(org.hr)
    assert result[org.waste.pk] == Knowledge(scored=1, total=90)
    assert result[org.environment.pk] == Knowledge(3, 230)
    assert result[org.environment.pk].average == pytest.approx(230 / 3)
    assert result[org.council.pk].average == 72.5
    assert result[org.finance.pk].average == 60
    assert result[org.resources.pk] == Knowledge(1, 60)
    assert progress.knowledge_by_department([org.parks.pk]) == {org.parks.pk: Knowledge(1, 100)}
    by_pattern = progress.knowledge_by_attribute(org.hr, "work_pattern")
    assert {k: v.average for k, v in by_pattern.items()} == {"frontline": 90, "hybrid": 100, "office": 50}
    assert progress.knowledge_by_attribute(org.hr, "work_pattern", module_ids=[figures["b"].pk]) == {
        "frontline": Knowledge(1, 90)}
    assert Knowledge().average is None


def test_confidence(org, figures):
    result = progress.confidence_by_department(org.hr)
    env = result[org.environment.pk]
    assert env == Confidence(before_count=3, before_total=6, after_count=2, after_total=7, paired_count=2,
                             paired_uplift=4)
    assert (env.before_average, env.after_average, env.uplift_average) == (2.0, 3.5, 2.0)
    council = result[org.council.pk]
    assert (council.before_count, council.before_average, council.after_count, council.after_average) == (4, 2.5, 2, 3.5)
    assert result[org.resources.pk] == Confidence(1, 4, 0, 0, 0, 0)
    assert result[org.resources.pk].after_average is None
    by_email = progress.confidence_by_attribute(org.hr, "has_work_email")
    assert by_email == {False: Confidence(1, 2, 1, 4, 1, 2), True: Confidence(3, 8, 1, 3, 1, 2)}


def test_each_figure_is_a_fixed_number_of_queries(org, figures, django_assert_num_queries):
    ids = list(progress.visible_departments(org.hr).values_list("pk", flat=True))
    with django_assert_num_queries(2):  # the GROUP BY department, the tree
        progress.completion_by_department(ids, today=TODAY)
    with django_assert_num_queries(1):  # the GROUP BY attribute
        progress.confidence_by_attribute(ids, "contract")
