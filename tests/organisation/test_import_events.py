"""After an import commits, other apps hear who joined, moved and left; new staff with email are invited."""

from unittest import mock

from organisation import importing
from organisation.events import staff_changed
from organisation.models import StaffImport, StaffProfile
from tests.organisation.staff_csv import row_from_profile, staff_row


def _csv(rows):
    lines = [",".join(importing.ALL_COLUMNS)]
    lines += [",".join(r[c] for c in importing.ALL_COLUMNS) for r in rows]
    return "\n".join(lines) + "\n"


def _apply(text, complete=False):
    imp = StaffImport.objects.create(filename="x.csv", content=text, complete_file=complete, row_count=1,
                                     status=StaffImport.Status.APPLYING)
    return importing.staff_import_apply(import_id=imp.pk)


def test_joined_moved_left_are_announced_after_commit(org, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    staff_changed.connect(listener)
    keep = [row_from_profile(p) for p in StaffProfile.objects.exclude(pk=org.staff.profile.pk)]
    moved = row_from_profile(org.frontline.profile, department_code="ENV-PARKS")
    keep = [r for r in keep if r["staff_number"] != moved["staff_number"]] + [moved]
    rows = keep + [staff_row("NEW1", dept="RES-FIN"), staff_row("NEW2", dept="ENV-WASTE", email="")]
    try:
        with mock.patch("organisation.tasks.invitations_send.delay") as delay, \
                django_capture_on_commit_callbacks(execute=True):
            imp = _apply(_csv(rows), complete=True)
    finally:
        staff_changed.disconnect(listener)
    assert imp.status == StaffImport.Status.APPLIED
    new_ids = sorted(StaffProfile.objects.filter(staff_number__in=["NEW1", "NEW2"]).values_list("pk", flat=True))
    assert len(heard) == 1
    assert sorted(heard[0]["joined"]) == new_ids
    assert heard[0]["moved"] == [org.frontline.profile.pk]
    assert heard[0]["left"] == [org.staff.profile.pk]
    # Only the new person with a work email is invited.
    delay.assert_called_once_with([StaffProfile.objects.get(staff_number="NEW1").pk])


def test_nothing_is_announced_when_the_import_fails(org, django_capture_on_commit_callbacks):
    heard = []
    staff_changed.connect(lambda sender, **kw: heard.append(kw), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            imp = _apply(_csv([staff_row("NEW1", dept="NOPE")]))
    finally:
        staff_changed.disconnect(dispatch_uid="t")
    assert imp.status == StaffImport.Status.INVALID
    assert heard == []
