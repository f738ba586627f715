"""Courses reacting to changes in the organisation (connected in CoursesConfig.ready).

- `staff_changed` (after a staff import commits): joiners and people who moved department get the active
  assignments that now cover them. Leavers keep their enrolments (history); they drop out of figures
  because figures count active staff only.
- A user added as a department's manager gets the active "all managers" assignments.
"""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from courses.services.assignments import assignments_for_staff_apply
from organisation.events import staff_changed
from organisation.models import Department, StaffProfile


@receiver(staff_changed, dispatch_uid="courses.enrol_joiners_and_movers")
def enrol_joiners_and_movers(sender, joined=(), moved=(), left=(), **kwargs):
    ids = list(joined) + list(moved)
    if ids:
        assignments_for_staff_apply(profile_ids=ids)


@receiver(m2m_changed, sender=Department.managers.through, dispatch_uid="courses.enrol_new_managers")
def enrol_new_managers(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    user_ids = [instance.pk] if reverse else list(pk_set)  # reverse: user.managed_departments.add(...)
    profile_ids = list(StaffProfile.objects.filter(user_id__in=user_ids).values_list("pk", flat=True))
    if profile_ids:
        assignments_for_staff_apply(profile_ids=profile_ids)
