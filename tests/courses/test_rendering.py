"""Lesson Markdown is rendered safely: nothing an author writes or pastes can run script or load
anything; the Markdown features lessons use render with the classes the pages style; the
`[[council-values]]` marker shows the council's own values, escaped."""

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from courses.rendering import render_markdown


class Parsed(HTMLParser):
    """Every element of the output as (tag, {attribute: value}), and the text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}

    def with_class(self, tag: str, cls: str) -> list[dict]:
        return [a for t, a in self.elements if t == tag and cls in (a.get("class") or "").split()]


ATTACKS = {
    "script": "<script>alert('script')</script>",
    "script in a paragraph": "Before <script>alert(1)</script> after.",
    "onerror": '<p onerror="alert(1)">text</p>',
    "img onerror": "<img src=x onerror=alert('img')>",
    "javascript href": '<a href="javascript:alert(1)">click</a>',
    "javascript href, mixed case": '<a href="JaVaScRiPt:alert(1)">click</a>',
    "javascript href, entity": '<a href="&#106;avascript:alert(1)">click</a>',
    "iframe": '<iframe src="https://example.org/"></iframe>',
    "data href": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "style attribute": '<p style="position:fixed;top:0">cover the page</p>',
    "style element": "<style>body { display: none }</style>",
    "svg onload": '<svg onload="alert(1)"><circle r="1"/></svg>',
    "markdown javascript link": "[x](javascript:alert(1))",
    "markdown javascript link, entity": "[x](&#106;avascript:alert(1))",
    "markdown data link": "[x](data:text/html,<script>alert(1)</script>)",
    "markdown image": "![x](javascript:alert(1))",
    "reference link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "attr_list handler": "[x](https://example.org/){: onclick=\"alert(1)\" }",
    "attr_list style": "A paragraph.\n{: style=\"display:none\" onmouseover=\"alert(1)\" }",
    "attr_list href": "[x](https://example.org/){: href=\"javascript:alert(1)\" }",
    "form": '<form action="https://example.org/"><input name="password"></form>',
    "object and embed": '<object data="x.swf"></object><embed src="x.swf">',
    "base": '<base href="https://example.org/">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://example.org/">',
    "math href": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "noscript breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "title breakout": '[x](https://example.org/ "<p><img src=x onerror=alert(1)>")',
    "details ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "comment": "<!-- <script>alert(1)</script> -->",
}

DANGEROUS_TAGS = {"script", "iframe", "img", "svg", "style", "object", "embed", "form", "input", "base", "meta",
                  "math", "link", "details", "noscript", "video", "source"}


def assert_inert(html: str) -> None:
    parsed = Parsed(html)
    assert parsed.tags() & DANGEROUS_TAGS == set(), html
    for tag, attrs in parsed.elements:
        for name, value in attrs.items():
            assert not re.match(r"on\w+", name), f"event handler on <{tag}>: {html}"
            assert name != "style", f"style on <{tag}>: {html}"
            if name in {"href", "src", "action", "formaction", "xlink:href"}:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                assert not scheme.startswith(("javascript:", "data:", "vbscript:")), f"{name}={value!r}: {html}"
    # The same, on the markup itself (text shown as &lt;img ...&gt; is fine: it is shown, not run).
    lowered = html.lower()
    for needle in ("<script", "<iframe", "<img", "<svg", "<style", "<object", "<embed", "<form", "<base", "<meta"):
        assert needle not in lowered, f"{needle!r} in {html}"
    for tag in re.findall(r"<[^>]*>", lowered):
        outside_values = re.sub(r'"[^"]*"', '""', tag)
        assert not re.search(r"\son\w+\s*=", outside_values), f"handler in {tag}"
        assert not re.search(r"\sstyle\s*=", outside_values), f"style in {tag}"
        assert not re.search(r'href="\s*(javascript|data|vbscript):', tag), f"bad link in {tag}"


@pytest.mark.parametrize("live", [
    "<script>alert(1)</script>", '<p onclick="x">t</p>', '<a href=" javascript:alert(1)">t</a>',
    '<a href="data:text/html,x">t</a>', '<p style="x">t</p>', "<iframe></iframe>", '<svg onload="x"></svg>',
])
def test_the_checker_catches_live_markup(live):
    """A guard for the checks above: unsanitised markup fails them."""
    with pytest.raises(AssertionError):
        assert_inert(live)


@pytest.mark.parametrize("markdown", ATTACKS.values(), ids=ATTACKS.keys())
def test_nothing_an_author_writes_runs(markdown):
    assert_inert(render_markdown(markdown))


def test_a_whole_hostile_lesson_renders_inert_and_keeps_its_text():
    lesson = "## A lesson\n\nSome text to keep.\n\n" + "\n\n".join(ATTACKS.values()) + "\n\nThe end."
    html = render_markdown(lesson)
    assert_inert(html)
    assert '<h2 class="govuk-heading-m">A lesson</h2>' in html
    assert "Some text to keep." in html and "The end." in html


def test_safe_links_are_kept_and_marked():
    html = render_markdown("[GOV.UK](https://www.gov.uk/) and [email](mailto:help@example.org) and [top](#top)")
    links = [a for t, a in Parsed(html).elements if t == "a"]
    assert links[0] == {"class": "govuk-link", "rel": "noopener noreferrer", "href": "https://www.gov.uk/"}
    assert links[1] == {"class": "govuk-link", "href": "mailto:help@example.org"}
    assert links[2]["href"] == "#top"


def test_authors_classes_other_than_ours_are_dropped():
    html = render_markdown('A paragraph.\n{: class="govuk-button tryit" }')
    assert 'class="tryit"' in html and "govuk-button" not in html


# --- What lessons use ---------------------------------------------------------------------------------

def test_headings_lists_and_paragraphs_get_govuk_classes():
    html = render_markdown("## Heading\n\n### Smaller\n\nText.\n\n- one\n- two\n\n1. first\n2. second\n")
    assert '<h2 class="govuk-heading-m">Heading</h2>' in html
    assert '<h3 class="govuk-heading-s">Smaller</h3>' in html
    assert '<p class="govuk-body">Text.</p>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<ol class="govuk-list govuk-list--number">' in html


def test_tables():
    parsed = Parsed(render_markdown("| Service | Example |\n|---|---|\n| Waste | Missed bins |\n| Housing | Repairs |\n"))
    assert len(parsed.with_class("table", "govuk-table")) == 1
    assert len(parsed.with_class("tr", "govuk-table__row")) == 3
    assert len(parsed.with_class("th", "govuk-table__header")) == 2
    assert len(parsed.with_class("td", "govuk-table__cell")) == 4
    assert "Missed bins" in "".join(parsed.text)


def test_fenced_code_is_shown_not_run():
    html = render_markdown("```\nprint('<b>hello</b>')\n<script>alert(1)</script>\n```\n")
    assert "<pre><code>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(html)


def test_footnotes():
    parsed = Parsed(render_markdown("The Act says so.[^1]\n\n[^1]: Equality Act 2010, section 149.\n"))
    assert len(parsed.with_class("div", "footnote")) == 1
    refs = [a for t, a in parsed.elements if t == "sup"]
    assert refs == [{"id": "fnref:1"}]
    assert ("a", {"href": "#fn:1"}) in parsed.elements
    assert ("li", {"id": "fn:1"}) in parsed.elements
    back = [a for t, a in parsed.elements if t == "a" and a.get("href") == "#fnref:1"]
    assert len(back) == 1
    assert "Equality Act 2010, section 149." in "".join(parsed.text)


def test_try_it_and_watch_out_boxes():
    html = render_markdown('!!! tryit "Try it"\n    Open a chatbot.\n\n!!! watchout "Watch out"\n    Never paste personal data.\n')
    parsed = Parsed(html)
    assert len(parsed.with_class("div", "admonition")) == 2
    assert len(parsed.with_class("div", "tryit")) == 1 and len(parsed.with_class("div", "watchout")) == 1
    assert '<p class="admonition-title">Try it</p>' in html
    assert '<p class="admonition-title">Watch out</p>' in html
    assert '<p class="govuk-body">Never paste personal data.</p>' in html


def test_the_shipped_curriculum_renders_inert():
    """Every shipped lesson, as staff will see it: nothing live, and every try-it and watch-out box rendered."""
    from pathlib import Path

    from django.conf import settings

    lessons = sorted((Path(settings.BASE_DIR) / "curriculum").glob("*/*.md"))
    lessons = [p for p in lessons if p.name[0].isdigit()]
    assert len(lessons) >= 30
    for path in lessons:
        body = path.read_text(encoding="utf-8").split("\n---", 1)[1]
        html = render_markdown(body)
        assert_inert(html)
        assert "!!!" not in html, f"an admonition did not render in {path}"


# --- The council's values -----------------------------------------------------------------------------

def value(name, description=""):
    return SimpleNamespace(name=name, description=description)


def test_council_values_marker_lists_the_councils_values():
    html = render_markdown("Our values:\n\n[[council-values]]\n\nUse them.",
                           council_values=[value("Open", "We explain what we do."), value("Fair", "Everyone counts.")])
    assert "[[council-values]]" not in html
    assert "<li><strong>Open</strong>: We explain what we do.</li>" in html
    assert "<li><strong>Fair</strong>: Everyone counts.</li>" in html


def test_council_values_are_escaped():
    html = render_markdown("[[council-values]]", council_values=[
        value("<b>x</b>", '<img src=x onerror=alert(1)> and [a link](javascript:alert(1)) and *stars*')])
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "*stars*" in html and "<em>" not in html
    assert_inert(html)
    assert "<b>x</b>" in "".join(Parsed(html).text)  # shown as text


def test_council_values_fallback_when_there_are_none():
    html = render_markdown("Before.\n\n[[council-values]]\n\nAfter.", council_values=[])
    assert "[[council-values]]" not in html
    assert "Your council has not written its values into Tandem yet." in html
    assert "Before." in html and "After." in html


def test_marker_is_replaced_only_on_its_own_line():
    html = render_markdown("Inline [[council-values]] stays.\n\n  [[council-values]]  \n", council_values=[value("Open")])
    assert "Inline [[council-values]] stays." in html
    assert html.count("<strong>Open</strong>") == 1
