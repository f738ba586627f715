"""Every url() in our stylesheets points at a file we ship. Production's manifest storage refuses
to collect a stylesheet whose url() is missing (collectstatic fails, every page is a 500), and a
missing font or image would show only in production, where DEBUG is off."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_DIR = Path(settings.BASE_DIR) / "static"
URL = re.compile(r"""url\(\s*(['"]?)(?P<url>[^'")]+)\1\s*\)""")


def stylesheets():
    return sorted(STATIC_DIR.rglob("*.css"))


def references(css: Path):
    for match in URL.finditer(css.read_text(encoding="utf-8")):
        url = match["url"].strip()
        if url.startswith(("data:", "#")):
            continue
        yield url


def resolve(css: Path, url: str) -> str | None:
    """The static path a url() names, or None when it points outside our static files."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    if path.startswith(settings.STATIC_URL):
        return path[len(settings.STATIC_URL):]
    if path.startswith("/") or "://" in path:
        return None
    return (css.parent.relative_to(STATIC_DIR) / path).as_posix()


def test_there_are_stylesheets_to_check():
    assert any(p.name == "govuk-frontend.min.css" for p in stylesheets())


@pytest.mark.parametrize("css", stylesheets(), ids=lambda p: p.relative_to(STATIC_DIR).as_posix())
def test_every_url_in_a_stylesheet_resolves(css):
    missing = []
    for url in references(css):
        name = resolve(css, url)
        if name is None or finders.find(name) is None:
            missing.append(url)
    assert missing == [], f"{css.name} refers to files that are not vendored: {missing}"


def test_no_crown_or_crest_is_vendored_or_referenced():
    # A council is not GOV.UK: no crown, crest or GDS Transport font.
    shipped = [p.name for p in STATIC_DIR.rglob("*")]
    assert not [n for n in shipped if "crest" in n or "crown" in n or n.endswith((".woff", ".woff2"))]
    assert "govuk-crest" not in (STATIC_DIR / "govuk" / "govuk-frontend.min.css").read_text(encoding="utf-8")


def test_the_checker_tells_a_vendored_file_from_a_missing_one():
    css = STATIC_DIR / "govuk" / "govuk-frontend.min.css"
    assert finders.find(resolve(css, "/static/tandem/tandem.css")) is not None
    assert finders.find(resolve(css, "../tandem/tandem.css")) is not None
    assert finders.find(resolve(css, "/static/govuk/assets/images/govuk-crest.svg")) is None
    assert list(references_in('a{background:url("x.svg")} b{src:url(data:font/woff2;base64,AA)}')) == ["x.svg"]


def references_in(text: str):
    return (m["url"].strip() for m in URL.finditer(text) if not m["url"].startswith(("data:", "#")))
