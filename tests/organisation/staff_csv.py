"""Helpers for the staff import tests: CSV files built from rows, and snapshots of what is in the database."""

import csv
import io

from allauth.account.models import EmailAddress

from organisation import importing
from organisation.models import StaffImport, StaffProfile, User

COLUMNS = importing.ALL_COLUMNS
AUTO = object()


def staff_row(number, *, first="Alex", last="Example", dept="RES-FIN", pattern="office", contract="full-time",
              email=AUTO, job="Officer", grade="Grades 4-6", manager="", start="2021-04-01") -> dict:
    """One row of an HR export, as a dict keyed by column name."""
    return {
        "staff_number": number, "first_name": first, "last_name": last, "department_code": dept,
        "work_pattern": pattern, "contract": contract,
        "email": f"{number.lower()}@example.org" if email is AUTO else email,
        "job_title": job, "grade_band": grade, "line_manager_staff_number": manager, "start_date": start,
    }


def row_from_profile(profile: StaffProfile, **overrides) -> dict:
    """The row that describes a person exactly as they are on record (so importing it changes nothing)."""
    profile = StaffProfile.objects.select_related("user", "department", "line_manager").get(pk=profile.pk)
    row = {
        "staff_number": profile.staff_number, "first_name": profile.user.first_name,
        "last_name": profile.user.last_name, "department_code": profile.department.code,
        "work_pattern": profile.work_pattern, "contract": profile.contract, "email": profile.user.email,
        "job_title": profile.job_title, "grade_band": profile.grade_band,
        "line_manager_staff_number": profile.line_manager.staff_number if profile.line_manager_id else "",
        "start_date": profile.start_date.isoformat() if profile.start_date else "",
    }
    row.update(overrides)
    return row


def current_rows() -> list[dict]:
    return [row_from_profile(p) for p in StaffProfile.objects.order_by("staff_number")]


def to_csv(rows, columns=COLUMNS, *, lineterminator="\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns] if isinstance(row, dict) else row)
    return out.getvalue()


def counts() -> dict:
    return {"users": User.objects.count(), "profiles": StaffProfile.objects.count(),
            "emails": EmailAddress.objects.count()}


def snapshot() -> dict:
    """Everything the import can change, in a form that compares equal when nothing changed."""
    users = {u["username"]: u for u in User.objects.values(
        "username", "first_name", "last_name", "email", "is_active", "password")}
    profiles = {p["staff_number"]: p for p in StaffProfile.objects.values(
        "staff_number", "user__username", "department__code", "line_manager__staff_number", "job_title",
        "grade_band", "work_pattern", "contract", "has_work_email", "start_date", "active")}
    emails = sorted(EmailAddress.objects.values_list("user__username", "email", "primary", "verified"))
    return {"users": users, "profiles": profiles, "emails": emails}


def upload(text, *, actor, complete_file=False, filename="staff.csv", encoding="utf-8") -> StaffImport:
    """Upload and validate, as the page does for a small file."""
    raw = text if isinstance(text, bytes) else text.encode(encoding)
    imp = importing.staff_import_create(actor=actor, filename=filename, raw=raw, complete_file=complete_file,
                                        max_bytes=20 * 1024 * 1024)
    return importing.staff_import_validate(import_id=imp.pk)


def confirm(imp: StaffImport, *, actor) -> StaffImport:
    assert importing.staff_import_start_apply(import_id=imp.pk)
    return importing.staff_import_apply(import_id=imp.pk, actor_id=actor.pk)


def upload_and_apply(text, *, actor, complete_file=False) -> StaffImport:
    imp = upload(text, actor=actor, complete_file=complete_file)
    assert imp.status == StaffImport.Status.READY, imp.errors
    imp = confirm(imp, actor=actor)
    assert imp.status == StaffImport.Status.APPLIED, imp.errors
    return imp
