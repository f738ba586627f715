"""The courses step of `manage.py seed_demo`: the shipped curriculum, then Northmere's assignments of it
with realistic, uneven progress (deterministic: drawn from ctx["rng"]).

Assignments (dates relative to the day the demo is loaded; the programme began in the spring):
- modules 1-2 to the whole council, by HR, five months ago: module 1 due three weeks ago (stragglers are
  overdue), module 2 in two weeks; module 3 to the whole council a month ago, due in six weeks;
- module 5 (fairness) to the People directorate four months ago, due a week ago;
- module 8 (leading your team) to all managers;
- module 2 again to Waste Collection by its manager (manager@), with an earlier due date;
- module 6 to a few named staff in Legal and Policy.
Some people also started module 7 on their own (optional: no due date).

Progress: some services are far behind (Waste, Street Cleansing, Care at Home, Leisure), frontline staff
behind office staff, later modules behind earlier ones; confidence after a module is higher than before on
average; completed modules score at or above the pass mark (the knowledge-check answers add up to the
score), with a certificate. Rows are consistent with what courses.services.learning would have written.

When modules were completed shapes the readiness history (adoption.demo backfills it from these dates):
most people who finished did so early, so most services change little over the last 90 days; the Customer
Contact Centre caught up in the last two months (it started piloting an AI drafting tool: HISTORY
"caught-up"), and Adult Social Care stalled under winter pressures: nobody there has completed a module
in the last three months ("stalled").
Everything is written with bulk_create: the step takes a few seconds for 2,000 staff.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from courses.curriculum import load_curriculum
from courses.models import Assignment, Certificate, Enrolment, LessonProgress, Module, QuestionAnswer
from organisation.demo import DOMAIN
from organisation.models import CouncilValue, Department, StaffProfile

BATCH = 1000
# How keen each service is (1 = typical). The rest are typical.
ENGAGEMENT = {
    "PLA-ENV-WASTE": 0.35, "PLA-ENV-STREET": 0.4, "PEO-ASC-HOME": 0.45, "COM-LEIS": 0.5, "PLA-HOUS-REP": 0.45,
    "PLA-ENV-PARKS": 0.6, "PLA-ENV": 0.6, "PEO-ASC-DAY": 0.7, "COM-CC": 1.3, "COM-CC-REC": 1.2,
    "RES": 1.3, "RES-ICT": 1.4, "RES-HR": 1.4, "RES-FIN": 1.3, "RES-LEGAL": 1.25, "RES-REV": 1.2,
    "RES-REV-CT": 1.2, "RES-REV-HB": 1.2, "CEX-POL": 1.3, "CEX-COMMS": 1.2,
}
# When completions happened (see the module docstring); the rest are "steady".
HISTORY = {"COM-CC": "caught-up", "COM-CC-REC": "caught-up", "PEO-ASC": "stalled", "PEO-ASC-HOME": "stalled",
           "PEO-ASC-ASSESS": "stalled", "PEO-ASC-DAY": "stalled"}
STALLED_SINCE = 95  # days ago: the last completion in a stalled service
CAUGHT_UP_DAYS = 60  # a service that caught up did most of it in these last days
PATTERN = {"office": 1.0, "hybrid": 1.05, "frontline": 0.55}
# Later modules are further behind. Keyed by module order.
MODULE_PACE = {1: 1.0, 2: 0.8, 3: 0.5, 4: 0.9, 5: 0.7, 6: 0.6, 7: 1.0, 8: 0.75}


# The council's values (organisation.demo.VALUES) each module serves, by module order, as an author would
# tag them (the shipped curriculum has none: values are each council's own).
MODULE_VALUES = {
    1: ["Open and honest"], 2: ["Residents first"], 3: ["Residents first"], 5: ["Fair to everyone"],
    6: ["Open and honest"], 7: ["Residents first", "Open and honest", "Fair to everyone"], 8: ["One team"],
}


def seed(ctx: dict) -> None:
    load_curriculum(settings.BASE_DIR / "curriculum")
    _tag_values()
    _assign_and_progress(ctx)


def _tag_values() -> None:
    values = {v.name: v for v in CouncilValue.objects.all()}
    for module in Module.objects.filter(order__in=MODULE_VALUES):
        module.values.set([values[name] for name in MODULE_VALUES[module.order]])


def _subtree_codes(departments: dict[str, Department], root: str) -> set[str]:
    by_id = {d.pk: code for code, d in departments.items()}
    codes = set()
    for code, d in departments.items():
        node = d
        while node is not None:
            if by_id[node.pk] == root:
                codes.add(code)
                break
            node = departments[by_id[node.parent_id]] if node.parent_id else None
    return codes


def _assign_and_progress(ctx: dict) -> None:
    rng = ctx["rng"]
    departments: dict[str, Department] = ctx["departments"]
    profiles: list[StaffProfile] = [p for p in ctx["profiles"] if p.active]
    users = ctx["demo_users"]
    hr, manager = users["hr@" + DOMAIN], users["manager@" + DOMAIN]
    today, now = timezone.localdate(), timezone.now()
    modules = {m.order: m for m in Module.objects.filter(published=True).prefetch_related("lessons__questions__options")}
    code_of = {d.pk: code for code, d in departments.items()}

    # --- Assignments and who each covers ---------------------------------------------------------------
    manager_users = set(Department.managers.through.objects.values_list("user_id", flat=True))
    everyone = [p.pk for p in profiles]
    people = _subtree_codes(departments, "PEO")
    named = [p.pk for p in profiles if code_of[p.department_id] in {"RES-LEGAL", "CEX-POL"}][:8]
    plan = [  # (module order, target, department code, due in days, created by, days ago, covered)
        (1, "department", "NBC", -21, hr, 150, everyone),
        (2, "department", "NBC", 14, hr, 150, everyone),
        (3, "department", "NBC", 42, hr, 30, everyone),
        (5, "department", "PEO", -7, hr, 120, [p.pk for p in profiles if code_of[p.department_id] in people]),
        (8, "managers", None, 10, hr, 40, [p.pk for p in profiles if p.user_id in manager_users]),
        (2, "department", "PLA-ENV-WASTE", -3, manager, 30,
         [p.pk for p in profiles if code_of[p.department_id] == "PLA-ENV-WASTE"]),
        (6, "staff", None, 28, hr, 20, named),
    ]
    assignments = []
    covered_by = defaultdict(list)  # (profile id, module order) -> assignments
    for order, target, code, due_in, author, days_ago, covered in plan:
        a = Assignment.objects.create(
            module=modules[order], target=target, department=departments[code] if code else None,
            include_subdepartments=target == "department", due_date=today + timedelta(days=due_in),
            created_by=author, status=Assignment.Status.APPLIED, enrolled_count=len(covered))
        Assignment.objects.filter(pk=a.pk).update(created_at=now - timedelta(days=days_ago))
        a.created_at = now - timedelta(days=days_ago)
        if target == "staff":
            a.staff.set(covered)
        assignments.append(a)
        for pid in covered:
            covered_by[(pid, order)].append(a)
    # A few keen office staff started module 7 on their own.
    optional = [(p.pk, 7) for p in profiles if p.work_pattern != "frontline" and rng.random() < 0.04]

    # --- Enrolments with progress -------------------------------------------------------------------------
    by_pk = {p.pk: p for p in profiles}
    special = {users["staff@" + DOMAIN].pk: {1: "completed", 2: "in-progress", 3: "not-started"},
               users["N90001"].pk: {1: "not-started", 2: "not-started", 3: "not-started"},
               manager.pk: {1: "completed", 2: "completed", 8: "in-progress"}}
    enrolments, details = [], []
    for (pid, order) in list(covered_by) + optional:
        profile, module = by_pk[pid], modules[order]
        links = covered_by.get((pid, order), [])
        due = min((a.due_date for a in links), default=None)
        state = special.get(profile.user_id, {}).get(order) or _draw_state(rng, profile, code_of, order, bool(links))
        opened = min((a.created_at for a in links), default=now - timedelta(days=60))
        history = HISTORY.get(code_of[profile.department_id], "steady")
        if state == "completed" and history == "stalled" and opened > now - timedelta(days=STALLED_SINCE):
            state = "in-progress"  # assigned after the service stalled: started, not finished
        enrolment, answers, lessons_done = _progress(rng, profile, module, state, now, opened, history)
        enrolment.due_date = due
        enrolments.append(enrolment)
        details.append((enrolment, links, answers, lessons_done))
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    ids = {(pid, mid): pk for pk, pid, mid in Enrolment.objects.values_list("pk", "profile_id", "module_id")}

    module_by_id = {m.pk: m for m in modules.values()}
    through, progress_rows, answer_rows, certificates = [], [], [], []
    for enrolment, links, answers, lessons_done in details:
        pk = ids[(enrolment.profile_id, enrolment.module_id)]
        through += [Enrolment.assignments.through(enrolment_id=pk, assignment_id=a.pk) for a in links]
        progress_rows += [LessonProgress(enrolment_id=pk, lesson_id=lesson.pk, lesson_hash=lesson.content_hash,
                                         completed_at=at) for lesson, at in lessons_done]
        answer_rows += [QuestionAnswer(enrolment_id=pk, question_id=q, chosen=chosen, correct=correct,
                                       attempts=attempts) for q, chosen, correct, attempts in answers]
        if enrolment.status == Enrolment.Status.COMPLETED:
            module = module_by_id[enrolment.module_id]
            certificates.append(Certificate(enrolment_id=pk, name=by_pk[enrolment.profile_id].full_name,
                                            module_title=module.title, module_version=module.version))
    Enrolment.assignments.through.objects.bulk_create(through, batch_size=BATCH)
    LessonProgress.objects.bulk_create(progress_rows, batch_size=BATCH)
    QuestionAnswer.objects.bulk_create(answer_rows, batch_size=BATCH)
    Certificate.objects.bulk_create(certificates, batch_size=BATCH)
    # Certificates were issued when the module was completed, not today.
    Certificate.objects.update(issued_at=Subquery(
        Enrolment.objects.filter(pk=OuterRef("enrolment_id")).values("completed_at")[:1]))
    ctx["assignments"] = assignments


def _draw_state(rng, profile: StaffProfile, code_of: dict, order: int, assigned: bool) -> str:
    if not assigned:  # optional modules are only enrolled in when started
        return "completed" if rng.random() < 0.4 else "in-progress"
    keen = ENGAGEMENT.get(code_of[profile.department_id], 1.0) * PATTERN[profile.work_pattern]
    if not profile.has_work_email:
        keen *= 0.85  # staff-number sign-in, often on a shared device
    p_complete = min(0.95, 0.7 * keen * MODULE_PACE[order])
    roll = rng.random()
    if roll < p_complete:
        return "completed"
    if roll < p_complete + (1 - p_complete) * 0.3:
        return "in-progress"
    return "not-started"


def _confidence_before(rng, profile: StaffProfile) -> int:
    weights = [15, 35, 30, 15, 5] if profile.work_pattern == "frontline" else [6, 24, 38, 24, 8]
    return rng.choices([1, 2, 3, 4, 5], weights=weights)[0]


def _min_right(total: int, pass_mark: int) -> int:
    """The fewest right answers whose score (rounded, as courses.services.learning rounds) passes."""
    return next(r for r in range(total + 1) if round(100 * r / total) >= pass_mark)


def _answer(rng, question, correct: bool):
    options = list(question.options.all())
    right = sorted(o.pk for o in options if o.correct)
    if correct:
        return right
    wrong = [o.pk for o in options if not o.correct] or right[:1]
    return [rng.choice(wrong)]


def _finished_at(rng, opened, now, history: str):
    """When a completed module was finished: after it was assigned (`opened`), shaped by the service's
    history. Steady: mostly soon after it was assigned (a few stragglers since). Caught-up: mostly in the
    last CAUGHT_UP_DAYS. Stalled: before STALLED_SINCE days ago."""
    span = now - opened
    if history == "stalled":
        return opened + (now - timedelta(days=STALLED_SINCE) - opened) * rng.random()
    if history == "caught-up" and rng.random() < 0.85:
        return now - min(span, timedelta(days=CAUGHT_UP_DAYS)) * rng.random()
    return opened + span * rng.random() ** 3


def _progress(rng, profile: StaffProfile, module: Module, state: str, now, opened, history: str):
    """An Enrolment (unsaved) in the given state, with the answers (question id, chosen, correct, attempts)
    and lessons done (lesson, when) that make it add up. `opened`: when it was assigned (or, for an optional
    module, when people could first start it)."""
    lessons = [lesson for lesson in module.lessons.all() if not lesson.retired]
    questions = [q for lesson in lessons for q in lesson.questions.all()]
    total = len(questions)
    enrolment = Enrolment(profile_id=profile.pk, module_id=module.pk, status=state)
    if state == "not-started" or not lessons or not total:
        return enrolment, [], []
    if state == "completed":
        finished = _finished_at(rng, opened, now, history)
        started = max(opened, finished - timedelta(hours=rng.randint(1, 24 * 12)))
    else:
        started = opened + (now - opened) * rng.random()
    enrolment.started_at = started
    if rng.random() < 0.9:
        enrolment.confidence_before = _confidence_before(rng, profile)
    if state == "completed":
        done_lessons = lessons
        low = _min_right(total, module.pass_mark)
        right_count = rng.choice(range(low, total + 1)) if rng.random() < 0.5 else total
        enrolment.completed_at, enrolment.completed_version = finished, module.version
        enrolment.current_lesson_id = lessons[-1].pk
        if enrolment.confidence_before and rng.random() < 0.9:
            enrolment.confidence_after = min(5, enrolment.confidence_before + rng.choices([0, 1, 2], [30, 50, 20])[0])
        right = set(rng.sample([q.pk for q in questions], right_count))
    else:
        # Half have done every lesson but scored under the pass mark (a retry is due); the rest are part way,
        # mostly near the end (people rarely stop after the first lesson).
        needs_retry = [r for r in range(total + 1) if 60 <= round(100 * r / total) < module.pass_mark]
        if needs_retry and rng.random() < 0.5:
            done = len(lessons)
        else:
            done = max(0, len(lessons) - rng.choices([1, 2, 3], [60, 30, 10])[0])
        done_lessons = lessons[:done]
        asked = [q for lesson in done_lessons for q in lesson.questions.all()]
        if done == len(lessons):  # all lessons done but below the pass mark: a retry is due
            right = set(rng.sample([q.pk for q in asked], rng.choice(needs_retry)))
        else:
            right = {q.pk for q in asked if rng.random() < 0.8}
        finished = started + timedelta(hours=rng.randint(1, 24 * 10))
        finished = min(now, finished)
        enrolment.current_lesson_id = lessons[min(done, len(lessons) - 1)].pk
        questions = asked
    step = (finished - started) / max(1, len(done_lessons))
    lessons_done = [(lesson, started + step * (i + 1)) for i, lesson in enumerate(done_lessons)]
    answers = [(q.pk, _answer(rng, q, q.pk in right), q.pk in right, 1 if q.pk in right and rng.random() < 0.7 else 2)
               for q in questions]
    enrolment.best_score = round(100 * len(right) / total) if answers else None
    if enrolment.status == "completed":
        assert enrolment.best_score >= module.pass_mark  # the demo must add up
    return enrolment, answers, lessons_done
