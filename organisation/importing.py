"""The staff import: the HR system's CSV export, validated in full, previewed, then applied.

Rules (README, "Staff import"):
- every bad row is reported by line and column, and nothing is written unless every row is good;
- the preview says how many people are new, updated (with what changes) and leaving;
- leavers are deactivated only when the upload is marked as the complete list of staff;
- applying re-validates the file against the database as it is now, then writes in one transaction;
- re-importing the same file changes nothing;
- the email of a privileged account or one with an authenticator is never changed (its row is an error).
Long runs publish their progress in the cache (`progress_get`), outside the transaction doing the work.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone

from organisation import accounts
from organisation.events import staff_changed
from organisation.models import Department, StaffImport, StaffProfile, User
from organisation.progress import TaskProgress
from organisation.services import audit_record

REQUIRED_COLUMNS = ["staff_number", "first_name", "last_name", "department_code", "work_pattern", "contract"]
OPTIONAL_COLUMNS = ["email", "job_title", "grade_band", "line_manager_staff_number", "start_date"]
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
PREVIEW_LIMIT = 200  # rows of each kind kept for the preview page; the counts are always complete
# Problems kept and listed (the first, by line; the count is always complete): a file that is wrong
# everywhere gets a page that says how many more, not a page of megabytes.
ERROR_LIMIT = 100
# A header with more columns than this is not a staff file (refused before anything else is read).
MAX_COLUMNS = 50
UNKNOWN_COLUMNS_LISTED = 10
# A complete file that would deactivate more than settings.STAFF_IMPORT_LEAVERS_CONFIRM_PERCENT of
# active staff is more likely a partial file ticked as complete than a month's leavers: it is applied
# only when HR types the number of leavers. Up to this many leavers never need typing.
LEAVERS_CONFIRM_MIN = 5
BATCH = 1000

_STAFF_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")
_WORK_PATTERNS = {c.value for c in StaffProfile.WorkPattern}
_CONTRACTS = {c.value for c in StaffProfile.Contract}
_ALIASES = {"full time": "full-time", "fulltime": "full-time", "ft": "full-time",
            "part time": "part-time", "parttime": "part-time", "pt": "part-time"}
# Fields compared to decide whether a person changed (the order is the preview's).
COMPARED = ["first_name", "last_name", "email", "department_code", "job_title", "grade_band",
            "work_pattern", "contract", "line_manager_staff_number", "start_date", "active"]
# What the preview calls them.
FIELD_LABELS = {"first_name": "First name", "last_name": "Last name", "email": "Email", "department_code": "Department",
                "job_title": "Job title", "grade_band": "Grade band", "work_pattern": "Work pattern",
                "contract": "Contract", "line_manager_staff_number": "Line manager", "start_date": "Start date",
                "active": "Status"}


class FileRejected(Exception):
    """The upload as a whole is unusable (not CSV, empty, too big, wrong columns)."""


class LeaversNotConfirmed(Exception):
    """A large share of staff would be deactivated and HR has not typed how many."""


def leavers_need_typing(*, leavers: int, active: int) -> bool:
    return leavers > LEAVERS_CONFIRM_MIN and leavers * 100 > settings.STAFF_IMPORT_LEAVERS_CONFIRM_PERCENT * active


def leavers_typed_matches(typed: int | None, *, leavers: int, active: int) -> bool:
    return not leavers_need_typing(leavers=leavers, active=active) or typed == leavers


@dataclass
class Row:
    line: int
    staff_number: str
    first_name: str
    last_name: str
    email: str
    department_code: str
    job_title: str
    grade_band: str
    work_pattern: str
    contract: str
    line_manager_staff_number: str
    start_date: date | None
    active: bool = True


@dataclass
class Plan:
    rows: list[Row] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0  # every problem found; `errors` keeps only the first ERROR_LIMIT by line
    new: list[Row] = field(default_factory=list)
    updated: list[tuple[Row, dict]] = field(default_factory=list)
    unchanged: int = 0
    leavers: list[str] = field(default_factory=list)
    active_count: int = 0  # active staff on record before the import (counted for a complete file)

    def applied_summary(self) -> dict:
        """The summary kept once applied: the preview's, plus the next steps' people (organisation.selectors
        .import_next_steps): how many new staff were queued an invitation, and the staff numbers of those
        without a work email, who need a sign-in slip."""
        return self.summary() | {"invited_count": sum(1 for r in self.new if r.email),
                                 "without_email": [r.staff_number for r in self.new if not r.email]}

    def errors_summary(self) -> dict:
        """What an invalid import keeps beside its listed errors: the full count, when some are not listed."""
        return {"error_count": self.error_count} if self.error_count > len(self.errors) else {}

    def summary(self) -> dict:
        return {
            "rows": len(self.rows),
            "new_count": len(self.new),
            "updated_count": len(self.updated),
            "unchanged_count": self.unchanged,
            "leaver_count": len(self.leavers),
            "new": [{"line": r.line, "staff_number": r.staff_number, "name": f"{r.first_name} {r.last_name}",
                     "department_code": r.department_code} for r in self.new[:PREVIEW_LIMIT]],
            "updated": [{"line": r.line, "staff_number": r.staff_number, "name": f"{r.first_name} {r.last_name}",
                         "changes": changes} for r, changes in self.updated[:PREVIEW_LIMIT]],
            "leavers": self.leavers[:PREVIEW_LIMIT],
        } | ({
            "active_count": self.active_count,
            "leavers_need_typing": leavers_need_typing(leavers=len(self.leavers), active=self.active_count),
        } if self.leavers else {})


# --- Reading the file ------------------------------------------------------------------------------

def decode(raw: bytes, *, max_bytes: int) -> str:
    if len(raw) > max_bytes:
        # Not the file's size: the upload view reads only max_bytes + 1 of it.
        raise FileRejected(f"The file is larger than the limit of {max_bytes // 1024:,} KB. "
                           "Split it, or ask your administrator to raise STAFF_IMPORT_MAX_BYTES.")
    if not raw.strip():
        raise FileRejected("The file is empty.")
    if b"\x00" in raw[:4096]:
        raise FileRejected("This is not a CSV file (it looks like a spreadsheet or other binary file). "
                           "Save it from your HR system or spreadsheet as CSV and upload that.")
    try:
        return raw.decode("utf-8-sig")  # UTF-8, with or without the byte order mark Excel adds
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Windows-1252, as older HR systems write


def _header_key(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def parse(text: str) -> tuple[list[dict], list[dict], int]:
    """The data rows (with their line numbers), the first ERROR_LIMIT row-level errors of shape, and
    how many more there were."""
    # Only the delimiter is guessed. Quoting is always the standard kind (doubled quotes, as Excel and
    # HR systems write): the sniffer judges it from the first 4 KB alone and, when those have no doubled
    # quote, turns doubling off, which garbles a later "Robert ""Bob""".
    try:
        sniffed = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter, skipinitialspace = sniffed.delimiter, sniffed.skipinitialspace
    except csv.Error:
        delimiter, skipinitialspace = ",", False
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter, skipinitialspace=skipinitialspace)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileRejected("The file is empty.") from None
    if len(header) > MAX_COLUMNS:
        raise FileRejected(
            f"The first line names {len(header):,} columns; a staff file has the {len(ALL_COLUMNS)} columns "
            "listed on this page. Check that this is the export from your HR system."
        )
    keys = [_header_key(h) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        raise FileRejected(
            "The first line must name the columns. Missing: " + ", ".join(missing)
            + ". See the column list on this page or docs/sample-staff.csv."
        )
    unknown = [h for h, k in zip(header, keys, strict=False) if k not in ALL_COLUMNS and k]
    if unknown:
        listed = ", ".join(unknown[:UNKNOWN_COLUMNS_LISTED])
        if len(unknown) > UNKNOWN_COLUMNS_LISTED:
            listed += f" and {len(unknown) - UNKNOWN_COLUMNS_LISTED:,} more"
        raise FileRejected("Unknown columns: " + listed + ". Remove them or rename them as listed on this page.")
    records, errors, more_errors = [], [], 0
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(keys):
                if len(errors) < ERROR_LIMIT:  # in line order, so these are the first; the rest are counted
                    errors.append({"line": line, "column": "",
                                   "message": f"has {len(values):,} values; the header has {len(keys)}"})
                else:
                    more_errors += 1
                continue
            records.append({"_line": line, **{k: v.strip() for k, v in zip(keys, values, strict=False)}})
    except csv.Error as e:
        raise FileRejected(f"This file could not be read as CSV near line {reader.line_num}: {e}.") from None
    if not records and not errors:
        raise FileRejected("The file has a header but no staff rows.")
    return records, errors, more_errors


def _parse_date(value: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError


# --- Validating and planning ----------------------------------------------------------------------

def build_plan(text: str, *, complete_file: bool, progress=None) -> Plan:
    """Validate every row against the file and the database, and work out what would change.
    Reads only: nothing is written."""
    records, shape_errors, more_shape_errors = parse(text)
    plan = Plan(errors=list(shape_errors))
    err = plan.errors

    dept_codes = dict(Department.objects.values_list("code", "pk"))
    existing = {
        p.staff_number.upper(): p
        for p in StaffProfile.objects.select_related("user", "department", "line_manager")
    }
    emails_in_use = {
        e.lower(): u for e, u in User.objects.exclude(email="").values_list("email", "username")
    }
    usernames_without_profile = set(
        User.objects.filter(profile__isnull=True).values_list("username", flat=True)
    )
    usernames_without_profile = {u.upper() for u in usernames_without_profile}
    # Privileged accounts and those with an authenticator keep the email they have: whoever controls
    # this file must not be able to point such an account's sign-in (a reset link, a sign-in slip) at
    # themselves (organisation.accounts).
    protected = accounts.protected_reasons()

    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    total = len(records)
    for i, rec in enumerate(records):
        line = rec["_line"]
        row_ok = True

        def bad(column, message, _line=line):
            nonlocal row_ok
            row_ok = False
            err.append({"line": _line, "column": column, "message": message})

        for col in REQUIRED_COLUMNS:
            if not rec.get(col):
                bad(col, "is required")
        number = rec.get("staff_number", "")
        if number and not _STAFF_NUMBER.match(number):
            bad("staff_number", f"'{number}' may only have letters, digits and hyphens (at most 20)")
        if number:
            key = number.upper()
            if key in seen_numbers:
                bad("staff_number", f"'{number}' is also on line {seen_numbers[key]}")
            else:
                seen_numbers[key] = line
            if key in usernames_without_profile:
                bad("staff_number", f"'{number}' is already used by an account that is not a staff record")
        email = rec.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                bad("email", f"'{rec['email']}' is not a valid email address")
            else:
                if email in seen_emails:
                    bad("email", f"'{rec['email']}' is also on line {seen_emails[email]}")
                else:
                    seen_emails[email] = line
                owner = emails_in_use.get(email)
                if owner is not None and owner.upper() != number.upper():
                    bad("email", f"'{rec['email']}' already belongs to staff number {owner}")
        current = existing.get(number.upper()) if number else None
        if current is not None and current.user_id in protected and email != current.user.email.lower():
            shown = current.user.email or "(blank)"
            bad("email", f"'{number}' {protected[current.user_id]}, so the import never changes their email: "
                         f"keep it as {shown}; an admin changes it in the Django admin")
        code = rec.get("department_code", "")
        if code and code not in dept_codes:
            bad("department_code", f"no department has the code '{code}'")
        pattern = rec.get("work_pattern", "").lower()
        if pattern and pattern not in _WORK_PATTERNS:
            bad("work_pattern", f"'{rec['work_pattern']}' must be one of: office, hybrid, frontline")
        contract = rec.get("contract", "").lower()
        contract = _ALIASES.get(contract, contract)
        if contract and contract not in _CONTRACTS:
            bad("contract", f"'{rec['contract']}' must be full-time or part-time")
        start = None
        if rec.get("start_date"):
            try:
                start = _parse_date(rec["start_date"])
            except ValueError:
                bad("start_date", f"'{rec['start_date']}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
        for col, limit in (("first_name", 150), ("last_name", 150), ("job_title", 200), ("grade_band", 50)):
            if len(rec.get(col, "")) > limit:
                bad(col, f"is longer than {limit} characters")
        if rec.get("grade_band", "").strip() == "?":
            # Survey results use "?" for "not recorded": a band of that name would be counted with it.
            bad("grade_band", "'?' is not a grade band: leave it empty when it is not recorded")
        if row_ok:
            plan.rows.append(Row(
                line=line, staff_number=number, first_name=rec["first_name"], last_name=rec["last_name"],
                email=email, department_code=code, job_title=rec.get("job_title", ""),
                grade_band=rec.get("grade_band", ""), work_pattern=pattern, contract=contract,
                line_manager_staff_number=rec.get("line_manager_staff_number", "").upper(), start_date=start,
            ))
        if progress and i % 1000 == 0:
            progress(i, total)

    _check_managers(plan, records, existing, complete_file)
    if plan.errors:
        plan.errors.sort(key=lambda e: (e["line"], e["column"]))
        plan.error_count = len(plan.errors) + more_shape_errors
        del plan.errors[ERROR_LIMIT:]
        return plan

    in_file = {r.staff_number.upper() for r in plan.rows}
    for row in plan.rows:
        current = existing.get(row.staff_number.upper())
        if current is None:
            plan.new.append(row)
            continue
        changes = _diff(current, row)
        if changes:
            plan.updated.append((row, changes))
        else:
            plan.unchanged += 1
    if complete_file:
        plan.active_count = sum(1 for p in existing.values() if p.active)
        plan.leavers = sorted(
            p.staff_number for key, p in existing.items() if p.active and key not in in_file
        )
    return plan


def _check_managers(plan: Plan, records: list[dict], existing: dict, complete_file: bool) -> None:
    """Every line manager must exist (in the file, or already on record and staying), and line
    management must not go round in a circle."""
    in_file = {rec.get("staff_number", "").upper(): rec for rec in records if rec.get("staff_number")}
    manager_of = {}
    for number, rec in in_file.items():
        manager = rec.get("line_manager_staff_number", "").upper()
        if not manager:
            continue
        if manager == number:
            plan.errors.append({"line": rec["_line"], "column": "line_manager_staff_number",
                                "message": "a person cannot be their own line manager"})
            continue
        staying = manager in in_file or (
            not complete_file and manager in existing and existing[manager].active
        )
        if not staying:
            where = "in this file" if complete_file else "in this file or among current staff"
            plan.errors.append({"line": rec["_line"], "column": "line_manager_staff_number",
                                "message": f"manager '{rec['line_manager_staff_number']}' was not found {where}"})
            continue
        manager_of[number] = manager
    # Existing reporting lines of people not in the file still count towards cycles.
    if not complete_file:
        for key, p in existing.items():
            if key not in in_file and p.line_manager_id:
                manager_of.setdefault(key, p.line_manager.staff_number.upper())
    reported = set()
    for start in manager_of:
        path, node = [], start
        positions = {}
        while node in manager_of and node not in positions:
            positions[node] = len(path)
            path.append(node)
            node = manager_of[node]
        if node in positions:
            cycle = path[positions[node]:]
            key = frozenset(cycle)
            if key in reported:
                continue
            reported.add(key)
            chain = " -> ".join(cycle + [cycle[0]])
            for member in cycle:
                if member in in_file:
                    plan.errors.append({"line": in_file[member]["_line"], "column": "line_manager_staff_number",
                                        "message": f"line management goes round in a circle: {chain}"})


def _current_values(p: StaffProfile) -> dict:
    return {
        "first_name": p.user.first_name, "last_name": p.user.last_name, "email": p.user.email.lower(),
        "department_code": p.department.code, "job_title": p.job_title, "grade_band": p.grade_band,
        "work_pattern": p.work_pattern, "contract": p.contract,
        "line_manager_staff_number": p.line_manager.staff_number.upper() if p.line_manager_id else "",
        "start_date": p.start_date, "active": p.active,
    }


def _diff(current: StaffProfile, row: Row) -> dict:
    old = _current_values(current)
    changes = {}
    for name in COMPARED:
        new_value = getattr(row, name)
        if old[name] != new_value:
            changes[name] = [_show(old[name]), _show(new_value)]
    return changes


def _show(value) -> str:
    if isinstance(value, bool):
        return "active" if value else "inactive"
    if isinstance(value, date):
        return value.isoformat()
    return value or "(blank)"


# --- Progress (visible to a poller while the work's transaction is open) -------------------------

_progress = TaskProgress("staff-import")
progress_set = _progress.set
progress_get = _progress.get


# --- Services ----------------------------------------------------------------------------------------

def staff_import_create(*, actor: User, filename: str, raw: bytes, complete_file: bool, max_bytes: int) -> StaffImport:
    """Store an upload (after the whole-file checks). FileRejected says why a file is unusable."""
    text = decode(raw, max_bytes=max_bytes)
    records, _, _ = parse(text)  # header and shape checked now, so a bad file never gets a record
    imp = StaffImport.objects.create(
        created_by=actor, filename=filename[:255], content=text, complete_file=complete_file,
        row_count=len(records),
    )
    audit_record(actor=actor, action="staff import uploaded", target=filename,
                 detail={"import": str(imp.pk), "rows": len(records), "complete_file": complete_file})
    return imp


def staff_import_validate(*, import_id) -> StaffImport:
    """Validate the stored file and record the preview (or every error)."""
    imp = StaffImport.objects.get(pk=import_id)
    if imp.status not in {StaffImport.Status.VALIDATING, StaffImport.Status.READY, StaffImport.Status.INVALID}:
        return imp  # applied or applying: nothing to do (a duplicate task is harmless)

    def progress(done, total):
        progress_set(imp.pk, stage="Checking", done=done, total=total)

    try:
        plan = build_plan(imp.content, complete_file=imp.complete_file, progress=progress)
    except FileRejected as e:
        imp.status, imp.errors = StaffImport.Status.INVALID, [{"line": 0, "column": "", "message": str(e)}]
    else:
        imp.errors = plan.errors
        imp.summary = plan.summary() if not plan.errors else plan.errors_summary()
        imp.status = StaffImport.Status.INVALID if plan.errors else StaffImport.Status.READY
    imp.save(update_fields=["status", "errors", "summary"])
    progress_set(imp.pk, stage="Checked", done=imp.row_count, total=imp.row_count)
    return imp


def staff_import_start_apply(*, import_id, leavers_typed: int | None = None) -> bool:
    """Mark a ready import as applying. False when it is not ready (already applied, or a double
    click): the caller then queues nothing. LeaversNotConfirmed when the preview would deactivate a
    large share of staff and `leavers_typed` is not their number (the import stays ready)."""
    summary = StaffImport.objects.filter(pk=import_id, status=StaffImport.Status.READY).values_list(
        "summary", flat=True).first()
    if summary is None:
        return False
    if not leavers_typed_matches(leavers_typed, leavers=summary.get("leaver_count", 0),
                                 active=summary.get("active_count", 0)):
        raise LeaversNotConfirmed(
            f"Type the number of leavers, {summary['leaver_count']:,}, to confirm that they should be deactivated")
    changed = StaffImport.objects.filter(pk=import_id, status=StaffImport.Status.READY).update(
        status=StaffImport.Status.APPLYING
    )
    return bool(changed)


def staff_import_apply(*, import_id, actor_id=None, leavers_typed: int | None = None) -> StaffImport:
    """Re-validate against the database as it is now, then write everything in one transaction.
    Safe to run twice: only an import in the 'applying' state is applied, and it is marked applied
    in the same transaction as the writes. A large share of leavers is deactivated only if
    `leavers_typed` is their number now (staff_import_start_apply checked it against the preview)."""
    imp = StaffImport.objects.get(pk=import_id)
    if imp.status != StaffImport.Status.APPLYING:
        return imp
    actor = User.objects.filter(pk=actor_id).first() if actor_id else imp.created_by

    def progress(done, total):
        progress_set(imp.pk, stage="Checking again", done=done, total=total)

    try:
        plan = build_plan(imp.content, complete_file=imp.complete_file, progress=progress)
    except FileRejected as e:
        plan = Plan(errors=[{"line": 0, "column": "", "message": str(e)}], error_count=1)
    if not plan.errors and not leavers_typed_matches(leavers_typed, leavers=len(plan.leavers), active=plan.active_count):
        typed = "no number was typed" if leavers_typed is None else f"{leavers_typed:,} was typed"
        plan.errors = [{"line": 0, "column": "", "message": (
            f"This file would deactivate {len(plan.leavers):,} of {plan.active_count:,} active staff, but {typed} "
            "to confirm it. Upload the file again to see what it would change now.")}]
        plan.error_count = 1
    if plan.errors:
        # Something changed since the preview (a department removed, an email taken): show why.
        StaffImport.objects.filter(pk=imp.pk).update(status=StaffImport.Status.INVALID, errors=plan.errors,
                                                     summary=plan.errors_summary())
        imp.refresh_from_db()
        return imp
    with transaction.atomic():
        locked = StaffImport.objects.select_for_update().get(pk=imp.pk)
        if locked.status != StaffImport.Status.APPLYING:
            return locked
        _write(plan, import_id=imp.pk)
        locked.status = StaffImport.Status.APPLIED
        locked.applied_at = timezone.now()
        locked.summary = plan.applied_summary()
        locked.save(update_fields=["status", "applied_at", "summary"])
        audit_record(actor=actor, action="staff import applied", target=imp.filename, detail={
            "import": str(imp.pk), "new": len(plan.new), "updated": len(plan.updated), "leavers": len(plan.leavers)})
        _announce(plan)
    progress_set(imp.pk, stage="Done", done=len(plan.rows), total=len(plan.rows))
    return locked


def _announce(plan: Plan) -> None:
    """After commit: tell other apps who joined, moved and left (bulk writes send no post_save), and
    queue invitations for new staff with a work email."""
    ids = {n.upper(): pk for n, pk in StaffProfile.objects.filter(
        staff_number__in=[r.staff_number for r in plan.new] + [r.staff_number for r, _ in plan.updated]
        + plan.leavers).values_list("staff_number", "pk")}
    joined = [ids[r.staff_number.upper()] for r in plan.new]
    joined += [ids[r.staff_number.upper()] for r, c in plan.updated if c.get("active") == ["inactive", "active"]]
    moved = [ids[r.staff_number.upper()] for r, c in plan.updated if "department_code" in c]
    left = [ids[n.upper()] for n in plan.leavers]
    invite = [ids[r.staff_number.upper()] for r in plan.new if r.email]

    def after_commit():
        from organisation import tasks

        staff_changed.send(sender=StaffImport, joined=joined, moved=moved, left=left)
        if invite:
            tasks.invitations_send.delay(invite)

    transaction.on_commit(after_commit)


def staff_import_fail(*, import_id, message: str) -> None:
    StaffImport.objects.filter(pk=import_id).exclude(status=StaffImport.Status.APPLIED).update(
        status=StaffImport.Status.FAILED, failure=message[:2000]
    )


def _write(plan: Plan, *, import_id) -> None:
    total = len(plan.new) + len(plan.updated) + len(plan.leavers)
    done = 0
    dept_ids = dict(Department.objects.values_list("code", "pk"))

    # New people: users then profiles, in batches.
    new_users = []
    for row in plan.new:
        user = User(username=row.staff_number, first_name=row.first_name, last_name=row.last_name, email=row.email)
        user.set_unusable_password()  # they choose one from the invitation or sign-in slip
        new_users.append(user)
    for start in range(0, len(new_users), BATCH):
        User.objects.bulk_create(new_users[start:start + BATCH])
        done += len(new_users[start:start + BATCH]) // 2
        progress_set(import_id, stage="Writing", done=done, total=total)
    user_ids = dict(User.objects.filter(username__in=[r.staff_number for r in plan.new]).values_list("username", "pk"))
    profiles = [
        StaffProfile(
            user_id=user_ids[row.staff_number], staff_number=row.staff_number,
            department_id=dept_ids[row.department_code], job_title=row.job_title, grade_band=row.grade_band,
            work_pattern=row.work_pattern, contract=row.contract, has_work_email=bool(row.email),
            start_date=row.start_date, active=True,
        )
        for row in plan.new
    ]
    for start in range(0, len(profiles), BATCH):
        StaffProfile.objects.bulk_create(profiles[start:start + BATCH])
        done += len(profiles[start:start + BATCH]) - len(profiles[start:start + BATCH]) // 2
        progress_set(import_id, stage="Writing", done=done, total=total)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=user_ids[r.staff_number], email=r.email, primary=True, verified=False)
         for r in plan.new if r.email],
        batch_size=BATCH,
    )

    # Updated people (matched by staff number whatever its case, as build_plan matched them).
    by_number = {
        p.staff_number.upper(): p
        for p in StaffProfile.objects.select_related("user").annotate(key=Upper("staff_number")).filter(
            key__in=[r.staff_number.upper() for r, _ in plan.updated])
    }
    changed_users, changed_profiles, email_changes = [], [], []
    for row, changes in plan.updated:
        p = by_number[row.staff_number.upper()]
        u = p.user
        if "email" in changes:
            email_changes.append((u.pk, row.email))
        u.first_name, u.last_name, u.email, u.is_active = row.first_name, row.last_name, row.email, True
        p.department_id = dept_ids[row.department_code]
        p.job_title, p.grade_band = row.job_title, row.grade_band
        p.work_pattern, p.contract, p.start_date = row.work_pattern, row.contract, row.start_date
        p.has_work_email, p.active = bool(row.email), True
        changed_users.append(u)
        changed_profiles.append(p)
    User.objects.bulk_update(changed_users, ["first_name", "last_name", "email", "is_active"], batch_size=BATCH)
    StaffProfile.objects.bulk_update(
        changed_profiles,
        ["department", "job_title", "grade_band", "work_pattern", "contract", "start_date", "has_work_email", "active"],
        batch_size=BATCH,
    )
    for user_id, email in email_changes:
        EmailAddress.objects.filter(user_id=user_id).delete()
        if email:
            EmailAddress.objects.create(user_id=user_id, email=email, primary=True, verified=False)
    done += len(plan.updated)
    progress_set(import_id, stage="Writing", done=done, total=total)

    # Line managers, now that everyone exists.
    rows = plan.new + [r for r, _ in plan.updated]
    # Every profile, keyed by upper-case staff number: a manager may be anyone on record, in any case.
    ids = {n.upper(): pk for n, pk in StaffProfile.objects.values_list("staff_number", "pk")}
    linked = []
    for p in StaffProfile.objects.filter(pk__in=[ids[r.staff_number.upper()] for r in rows]).only("pk", "staff_number", "line_manager"):
        row_by = p.staff_number.upper()
        linked.append(p)
        p._row_manager = row_by
    manager_for = {r.staff_number.upper(): r.line_manager_staff_number for r in rows}
    for p in linked:
        m = manager_for[p._row_manager]
        p.line_manager_id = ids.get(m) if m else None
    StaffProfile.objects.bulk_update(linked, ["line_manager"], batch_size=BATCH)

    # Leavers: deactivated, never deleted (their learning history stays for reports).
    if plan.leavers:
        leaving = StaffProfile.objects.filter(staff_number__in=plan.leavers)
        User.objects.filter(profile__in=leaving).update(is_active=False)
        leaving.update(active=False)
        done += len(plan.leavers)
        progress_set(import_id, stage="Writing", done=done, total=total)
