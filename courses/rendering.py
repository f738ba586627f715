"""Lesson Markdown to safe HTML: rendered with `markdown`, then sanitised with nh3 (an allow-list),
so nothing an author writes (or pastes) can run script in a learner's browser."""

import re

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import mark_safe

COUNCIL_VALUES_MARKER = "[[council-values]]"
_MARKER_LINE = re.compile(r"^[ \t]*\[\[council-values\]\][ \t]*$", re.MULTILINE)

_EXTENSIONS = ["tables", "fenced_code", "footnotes", "admonition", "sane_lists", "attr_list"]

_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "table", "thead", "tbody", "tr", "th", "td", "caption",
    "div", "span", "sup", "sub", "abbr",
}
_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "th": {"scope", "align"},
    "td": {"align"},
    "sup": {"id"},
    "li": {"id"},
    "abbr": {"title"},
    "ol": {"start"},
}
# Classes our CSS styles; any other class an author writes is dropped.
_ALLOWED_CLASSES = {"admonition", "admonition-title", "tryit", "watchout", "note", "warning", "footnote",
                    "footnote-ref", "footnote-backref"}

_GOVUK = [
    (re.compile(r"<p>"), '<p class="govuk-body">'),
    (re.compile(r"<h2>"), '<h2 class="govuk-heading-m">'),
    (re.compile(r"<h3>"), '<h3 class="govuk-heading-s">'),
    (re.compile(r"<ul>"), '<ul class="govuk-list govuk-list--bullet">'),
    (re.compile(r"<ol>"), '<ol class="govuk-list govuk-list--number">'),
    (re.compile(r"<table>"), '<table class="govuk-table">'),
    (re.compile(r"<tr>"), '<tr class="govuk-table__row">'),
    (re.compile(r"<th>"), '<th class="govuk-table__header">'),
    (re.compile(r"<td>"), '<td class="govuk-table__cell">'),
    (re.compile(r'<a href="(https?:)'), r'<a class="govuk-link" rel="noopener noreferrer" href="\1'),
    (re.compile(r'<a href="([^h#])'), r'<a class="govuk-link" href="\1'),
]


def _clean_classes(tag, name, value):
    if name == "class":
        kept = [c for c in value.split() if c in _ALLOWED_CLASSES]
        return " ".join(kept) or None
    return value


def render_markdown(text: str, *, council_values=()) -> str:
    """Markdown -> sanitised HTML. `[[council-values]]` alone on a line becomes the council's own
    values (name and description), escaped."""
    if council_values:
        listing = "\n".join(f"- **{_md_escape(v.name)}**: {_md_escape(v.description)}" for v in council_values)
    else:
        listing = "*Your council has not written its values into Tandem yet. Ask your manager what they are.*"
    text = _MARKER_LINE.sub(lambda _m: "\n" + listing + "\n", text)
    html = markdown.markdown(text, extensions=_EXTENSIONS, output_format="html")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_clean_classes,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    for pattern, repl in _GOVUK:
        clean = pattern.sub(repl, clean)
    return mark_safe(clean)  # noqa: S308 -- sanitised by nh3 just above


def _md_escape(text: str) -> str:
    return escape(text).replace("*", r"\*").replace("_", r"\_").replace("[", r"\[")
