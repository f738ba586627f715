"""Template helpers shared by every app's templates (organisation is the base layer)."""

from django import template

register = template.Library()

_INPUT_CLASS = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}


@register.simple_tag
def govuk_widget(field, extra_class=""):
    """Render a form field's widget with govuk-frontend classes and the ARIA links to its hint and error."""
    kind = field.widget_type
    css = _INPUT_CLASS.get(kind, "govuk-input")
    if field.errors and kind not in {"checkbox"}:
        css += {"textarea": " govuk-textarea--error", "select": " govuk-select--error"}.get(kind, " govuk-input--error")
    if extra_class:
        css += " " + extra_class
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def field_kind(field):
    return field.widget_type
