"""Reads for reminders (adoption's nudges), for the whole organisation at once: a fixed number of
queries however many staff.

Stable for adoption/ (add, do not change):
    modules_to_do() -> list of {profile_id, slug, title, due_date}: assigned (due date set), not
        completed enrolments of active staff, earliest due first.
    last_learning() -> {profile id: datetime}: the latest moment each active person started a module,
        finished a lesson or completed a module (people with no learning at all are left out).
    learning_due_in(department_ids, until) -> list of {profile_id, department_id, name parts, has email,
        module title, due_date}: assigned, not completed enrolments of active staff in these departments
        due on or before `until` (overdue ones included), in one query: the manager digest's names.
"""

from django.db.models import Max

from courses.models import Enrolment


def modules_to_do(profile_ids=None) -> list[dict]:
    """Assigned modules with a due date, not finished, of active people (only `profile_ids`' when given)."""
    rows = Enrolment.objects.filter(due_date__isnull=False, profile__active=True)
    if profile_ids is not None:
        rows = rows.filter(profile_id__in=profile_ids)
    return [
        {"profile_id": r["profile_id"], "slug": r["module__slug"], "title": r["module__title"],
         "due_date": r["due_date"]}
        for r in rows.exclude(status=Enrolment.Status.COMPLETED)
        .order_by("due_date", "module__title", "profile_id")
        .values("profile_id", "due_date", "module__slug", "module__title")
    ]


def last_learning() -> dict:
    out = {}
    rows = (Enrolment.objects.filter(profile__active=True).values("profile_id")
            .annotate(started=Max("started_at"), completed=Max("completed_at"),
                      lesson=Max("lesson_progress__completed_at")))
    for r in rows:
        moments = [m for m in (r["started"], r["completed"], r["lesson"]) if m is not None]
        if moments:
            out[r["profile_id"]] = max(moments)
    return out


def learning_due_in(department_ids, until) -> list[dict]:
    return list(
        Enrolment.objects.filter(profile__department_id__in=department_ids, profile__active=True,
                                 due_date__isnull=False, due_date__lte=until)
        .exclude(status=Enrolment.Status.COMPLETED)
        .order_by("due_date", "profile__user__last_name", "profile__user__first_name", "module__title")
        .values("profile_id", "profile__department_id", "profile__user__first_name", "profile__user__last_name",
                "profile__staff_number", "profile__user__email", "profile__has_work_email", "module__title",
                "due_date")
    )
