"""Writes for courses, one module per area:

- `courses.services.learning`: starting modules, lessons, knowledge checks, confidence, completion, certificates;
- `courses.services.assignments`: assigning modules to departments, managers or named staff, withdrawing, new joiners;
- `courses.services.authoring`: publishing and unpublishing modules.
"""
