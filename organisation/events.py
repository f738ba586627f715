"""Signals the organisation sends, for the apps above it to react to (they import this; it imports
none of them). Sent after the transaction that made the change has committed.

- `staff_changed(joined, moved, left)`: lists of StaffProfile ids. `joined` are new (or reactivated)
  staff, `moved` changed department, `left` were deactivated. Courses, for example, enrols joiners in
  modules assigned to their department.
"""

from django.dispatch import Signal

staff_changed = Signal()
