"""The courses step of the demo: the curriculum, Northmere's assignments and uneven progress that adds up
(the rows are what courses.services.learning would have written), loaded quickly."""

import time

import pytest
from django.db.models import Avg, Count, F, Q

from courses import demo as courses_demo
from courses.models import Assignment, Certificate, Enrolment, LessonProgress, Module, QuestionAnswer
from courses.selectors import progress
from courses.services.assignments import _refresh_due_dates
from organisation import demo as organisation_demo
from organisation.models import Department, StaffProfile, User


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the module (it takes a few seconds), then removed."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            ctx = {}
            organisation_demo.seed(ctx)
            start = time.perf_counter()
            courses_demo.seed(ctx)
            ctx["seconds"] = time.perf_counter() - start
            yield ctx
            transaction.set_rollback(True)


@pytest.fixture
def hr(demo, db):
    return User.objects.get(email="hr@northmere.example")


def test_the_assignments(demo, db):
    rows = {(a.module.order, a.target, a.department.code if a.department else None, a.created_by.email)
            for a in Assignment.objects.select_related("module", "department", "created_by")}
    assert rows == {
        (1, "department", "NBC", "hr@northmere.example"), (2, "department", "NBC", "hr@northmere.example"),
        (3, "department", "NBC", "hr@northmere.example"), (5, "department", "PEO", "hr@northmere.example"),
        (8, "managers", None, "hr@northmere.example"), (6, "staff", None, "hr@northmere.example"),
        (2, "department", "PLA-ENV-WASTE", "manager@northmere.example"),
    }
    everyone = StaffProfile.objects.count()
    for a in Assignment.objects.all():
        assert a.status == "applied"
        assert a.enrolled_count == a.enrolments.count() > 0
    assert Assignment.objects.get(module__order=1).enrolled_count == everyone
    managers = StaffProfile.objects.filter(user__managed_departments__isnull=False).distinct().count()
    assert Assignment.objects.get(target="managers").enrolled_count == managers


def test_due_dates_are_the_earliest_of_each_persons_assignments(demo, db):
    assert _refresh_due_dates(Enrolment.objects.all()) == 0  # nothing to correct
    optional = Enrolment.objects.filter(due_date__isnull=True)
    assert optional.exists() and not optional.filter(assignments__isnull=False).exists()
    assert not optional.filter(status="not-started").exists()  # optional enrolments exist only once started


def test_completed_enrolments_add_up(demo, db):
    completed = Enrolment.objects.filter(status="completed").select_related("module")
    assert completed.count() > 1000
    assert not completed.filter(Q(completed_at__isnull=True) | Q(completed_version__isnull=True)
                                | Q(best_score__lt=F("module__pass_mark")) | Q(started_at__isnull=True)).exists()
    assert Certificate.objects.count() == completed.count()
    assert not Certificate.objects.exclude(issued_at=F("enrolment__completed_at")).exists()
    lessons = dict(Module.objects.annotate(n=Count("lessons", filter=Q(lessons__retired=False))).values_list("pk", "n"))
    questions = dict(Module.objects.annotate(n=Count("lessons__questions", filter=Q(lessons__retired=False)))
                     .values_list("pk", "n"))
    done = dict(LessonProgress.objects.values("enrolment").annotate(n=Count("pk")).values_list("enrolment", "n"))
    right = dict(QuestionAnswer.objects.filter(correct=True).values("enrolment").annotate(n=Count("pk"))
                 .values_list("enrolment", "n"))
    for e in completed:
        assert done[e.pk] == lessons[e.module_id]
        assert e.best_score == round(100 * right.get(e.pk, 0) / questions[e.module_id])
        assert e.started_at <= e.completed_at


def test_in_progress_and_not_started_add_up(demo, db):
    started = Enrolment.objects.filter(status="in-progress")
    assert not started.filter(Q(started_at__isnull=True) | Q(completed_at__isnull=False)
                              | Q(current_lesson__isnull=True)).exists()
    assert not Certificate.objects.filter(enrolment__status="in-progress").exists()
    untouched = Enrolment.objects.filter(status="not-started")
    assert not untouched.filter(Q(started_at__isnull=False) | Q(best_score__isnull=False)).exists()
    assert not LessonProgress.objects.filter(enrolment__status="not-started").exists()
    assert not QuestionAnswer.objects.filter(enrolment__status="not-started").exists()
    # Lesson progress records the lesson as it is now (so the learning pages count it as done).
    assert not LessonProgress.objects.exclude(lesson_hash=F("lesson__content_hash")).exists()


def test_progress_is_uneven_as_in_a_real_council(demo, hr, db):
    by_code = dict(Department.objects.values_list("code", "pk"))
    rates = progress.completion_by_department(hr)
    assert rates[by_code["PLA-ENV-WASTE"]].rate < 25 < 60 < rates[by_code["RES-ICT"]].rate
    assert rates[by_code["NBC"]].overdue > 500
    patterns = progress.completion_by_attribute(hr, "work_pattern")
    assert patterns["frontline"].rate < patterns["office"].rate / 2
    confidence = progress.confidence_by_department(hr)[by_code["NBC"]]
    assert confidence.after_average > confidence.before_average + 0.5
    scored = Enrolment.objects.filter(best_score__isnull=False)
    assert scored.filter(best_score__gte=60).count() > 0.85 * scored.count()
    assert 80 < scored.aggregate(a=Avg("best_score"))["a"] < 95


def test_the_demo_accounts_have_something_to_show(demo, db):
    def modules(email_or_number):
        user = User.objects.get(**({"email": email_or_number} if "@" in email_or_number else {"username": email_or_number}))
        return dict(Enrolment.objects.filter(profile__user=user).values_list("module__order", "status"))

    assert modules("staff@northmere.example") == {1: "completed", 2: "in-progress", 3: "not-started"}
    assert modules("N90001") == {1: "not-started", 2: "not-started", 3: "not-started"}
    assert modules("manager@northmere.example")[8] == "in-progress"
