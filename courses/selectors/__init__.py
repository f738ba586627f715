"""Reads for courses, one module per area (each takes the user's scope where people are involved):

- `courses.selectors.learning`: a person's own modules and progress;
- `courses.selectors.progress`: completion, scores and confidence per department subtree and staff
  attribute, for managers, HR and (later) adoption/ -- stable and documented;
- `courses.selectors.authoring`: modules for content authors;
- `courses.selectors.reminders`: what each person still has to do, for adoption's nudges.
"""
