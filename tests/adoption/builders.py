"""Organisations of any size for readiness tests, written in bulk (a few queries per thousand staff):
a department tree, staff, a module with assigned enrolments (some completed, some overdue, scores and
confidence), and an anonymous survey wave run through the real services and closed (so its release is
decided by surveys.suppression), with answers written in bulk."""

import random
from datetime import timedelta

from django.utils import timezone

from courses.models import Enrolment, Module
from organisation.models import Department, StaffProfile, User
from surveys.models import Answer, Participation, Question, Response, Wave
from tests.surveys.test_results_seed import close, make_pulse, open_wave

PATTERNS = ("office", "hybrid", "frontline")


def tree(departments: int, rng: random.Random, *, prefix="D") -> list[Department]:
    """A council with `departments` departments beneath it (each under a random earlier one)."""
    root = Department.objects.create(code=f"{prefix}0", name=f"{prefix} Council")
    made = [root]
    for i in range(1, departments):
        parent = rng.choice(made[: max(1, len(made))])
        made.append(Department.objects.create(code=f"{prefix}{i}", name=f"{prefix} Department {i:03d}", parent=parent))
    return made


def staff(departments: list[Department], count: int, rng: random.Random, *, prefix="S") -> list[StaffProfile]:
    users = User.objects.bulk_create([
        User(username=f"{prefix}{i:05d}", first_name="Staff", last_name=f"{prefix}{i:05d}") for i in range(count)])
    profiles = [
        StaffProfile(user=u, staff_number=u.username, department=rng.choice(departments),
                     work_pattern=rng.choice(PATTERNS), contract=rng.choice(("full-time", "part-time")),
                     has_work_email=rng.random() < 0.7, grade_band=rng.choice(("A", "B", "C")))
        for u in users
    ]
    return StaffProfile.objects.bulk_create(profiles)


def learning(profiles: list[StaffProfile], rng: random.Random) -> Module:
    module = Module.objects.create(slug=f"m-{len(profiles)}-{rng.randint(0, 10**9)}", title="AI basics",
                                   summary="s", published=True)
    today = timezone.localdate()
    rows = []
    for p in profiles:
        done = rng.random() < 0.5
        before = rng.randint(1, 4)
        rows.append(Enrolment(
            profile=p, module=module, due_date=today + timedelta(days=rng.choice((-10, 20))),
            status=Enrolment.Status.COMPLETED if done else Enrolment.Status.NOT_STARTED,
            completed_at=timezone.now() - timedelta(days=rng.randint(1, 60)) if done else None,
            best_score=rng.randint(40, 100) if done else None,
            confidence_before=before, confidence_after=min(5, before + rng.randint(0, 2)) if done else None))
    Enrolment.objects.bulk_create(rows)
    return module


def survey_wave(profiles: list[StaffProfile], rng: random.Random, *, share=0.7, low_desire=()) -> Wave:
    """An anonymous pulse wave sent to everyone, answered by about `share` of them (answers in bulk, with
    the respondent's department and attributes as submission stores them), then closed. Departments in
    `low_desire` answer the Desire questions with 1 or 2."""
    survey = make_pulse()
    wave = open_wave(survey, name=f"Wave {rng.randint(0, 10**6)}")
    questions = list(survey.questions.filter(type=Question.Type.AGREE5))
    responded, responses, answers = [], [], []
    for p in profiles:
        if rng.random() >= share:
            continue
        responded.append(p.pk)
        r = Response(wave=wave, department_id=p.department_id, work_pattern=p.work_pattern, contract=p.contract,
                     has_work_email=p.has_work_email, grade_band=p.grade_band, anonymous=True)
        responses.append(r)
        for q in questions:
            low = q.dimension == "desire" and p.department_id in low_desire
            answers.append(Answer(response=r, question=q, number=rng.randint(1, 2) if low else rng.randint(2, 5)))
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers, batch_size=2000)
    Participation.objects.filter(wave=wave, profile_id__in=responded).update(responded=True)
    return close(wave)


def organisation(departments: int, people: int, *, seed=1, with_wave=True, prefix="D"):
    rng = random.Random(seed)
    depts = tree(departments, rng, prefix=prefix)
    profiles = staff(depts, people, rng, prefix=f"{prefix}S")
    learning(profiles, rng)
    wave = survey_wave(profiles, rng) if with_wave else None
    return depts, profiles, wave
