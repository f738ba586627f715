"""An attacker with an HR account, through the pages: every filter the results page offers (each department
and the organisation, narrowed by one attribute at a time, every value) and every download, collecting every
figure shown. Checked against counts computed here from the raw rows (not through surveys.suppression):

- no figure is about fewer than N responses, and the response counts shown are the true ones;
- every table cell is a figure of a released cell or the words "fewer than N responses" (never blank or 0);
- DESIGN.md's property holds for the figures actually shown: in every partition the product offers (a
  department into its own staff and child departments, a group into an attribute's values) whose whole is
  shown, the hidden parts are none or at least two totalling at least N; no hidden group has all its parts
  shown; and a linear attacker who knows every shown count and every partition recovers no hidden count;
- the property at the level of people (tests/surveys/people_auditor.py): no combination of the figures
  shown isolates fewer than N respondents.
"""

import csv
import io
import random
from collections import Counter
from html.parser import HTMLParser
from itertools import combinations, product

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from organisation.models import Department
from surveys import selectors
from surveys import selectors_results as results
from surveys.models import Participation, Response
from surveys.suppression import BLANK, MAX_FILTERS, ORG, Release, cell_key
from tests.factories import make_department, make_staff
from tests.surveys import people_auditor
from tests.surveys.attacker import recoverable
from tests.surveys.test_results_seed import answer, make_pulse, open_wave, run_wave

ATTRS = ["work_pattern", "contract", "has_work_email", "grade_band"]


# --- The organisation ------------------------------------------------------------------------------------------

def _seed(org):
    """Twelve departments of very different sizes, people with varied attributes, about three in four
    answering."""
    housing = make_department("HOU", "Housing", org.council)
    repairs = make_department("HOU-REP", "Repairs", housing)
    lettings = make_department("HOU-LET", "Lettings", housing)
    tenancy = make_department("HOU-TEN", "Tenancy", lettings)
    sizes = {org.finance: 14, org.waste: 11, org.parks: 9, org.environment: 9, org.resources: 2, housing: 2,
             repairs: 13, lettings: 12, tenancy: 3, org.council: 1}
    rng = random.Random(20240517)
    for department, size in sizes.items():
        for _ in range(size):
            pattern = rng.choices(["office", "hybrid", "frontline"], weights=[4, 3, 3])[0]
            make_staff(department, work_pattern=pattern, contract=rng.choices(["full-time", "part-time"], weights=[3, 1])[0],
                       with_email=pattern != "frontline" or rng.random() < 0.3, grade_band=rng.choice(["A", "B", "C"]))
    from organisation.models import StaffProfile

    # About one in eight has no grade band recorded (build_org's people and a few more): the filter offers
    # the grades, and the people without one are a part of every split by grade that is never offered.
    for profile in StaffProfile.objects.filter(grade_band__gt="").order_by("pk")[::9]:
        StaffProfile.objects.filter(pk=profile.pk).update(grade_band="")
    everyone = list(StaffProfile.objects.order_by("pk"))
    responders = [p for p in everyone if rng.random() < 0.75]
    return responders


@pytest.fixture
def attacked(org):
    responders = _seed(org)
    wave = run_wave(make_pulse(), responders, seed=99, comment_share=0.9)
    return wave


# --- Counting from the raw rows (independently of surveys.suppression) --------------------------------------------

class Truth:
    def __init__(self, wave):
        self.parent = dict(Department.objects.values_list("pk", "parent_id"))
        self.responses = [self._row(r) for r in Response.objects.filter(wave=wave).values("department_id", *ATTRS)]
        self.invited = [self._row(r) for r in Participation.objects.filter(wave=wave).values("department_id", *ATTRS)]
        # Values as the filters offer them, and the blank value (no grade band recorded) as well: it is
        # never offered, so it is a part that is always hidden, but it is a part of every whole.
        self.offered = {a: sorted({r[a] for r in self.invited if r[a] != BLANK}) for a in ATTRS}
        self.values = {a: sorted({r[a] for r in self.invited}) for a in ATTRS}
        self.n = wave.min_group_size

    @staticmethod
    def _row(r):
        return {"department": r["department_id"], **{a: BLANK if r[a] in ("", None) else str(r[a]) for a in ATTRS}}

    def _ancestors(self, d):
        while d is not None:
            yield d
            d = self.parent[d]

    def _in(self, row, scope, filters):
        if scope != ORG:
            d = int(scope[1:].rstrip("!"))
            if scope.endswith("!"):
                if row["department"] != d:
                    return False
            elif d not in self._ancestors(row["department"]):
                return False
        return all(row[a] == v for a, v in filters)

    def count(self, key, rows=None):
        scope, *pairs = key.split("|")
        filters = [tuple(p.split("=", 1)) for p in pairs]
        return sum(1 for r in (self.responses if rows is None else rows) if self._in(r, scope, filters))

    def population(self, key):
        return self.count(key, self.invited)

    def children(self):
        kids = {None: []}
        for d, p in sorted(self.parent.items()):
            kids.setdefault(p, []).append(d)
        return kids

    def partitions(self):
        """Every (whole, parts) the product's tables imply, over groups somebody was invited to."""
        kids = {}
        for d, p in self.parent.items():
            kids.setdefault(p, []).append(d)
        scopes = [ORG] + [f"d{d}" for d in self.parent] + [f"d{d}!" for d in self.parent if kids.get(d)]
        filters = [()]
        for k in range(1, MAX_FILTERS + 1):
            for attrs in combinations(ATTRS, k):
                filters += [tuple(zip(attrs, vals, strict=True)) for vals in product(*(self.values[a] for a in attrs))]
        out = []
        for f in filters:
            for scope in scopes:
                whole = cell_key(scope, f)
                if not self.population(whole):
                    continue
                if scope == ORG:
                    out.append((whole, [cell_key(f"d{r}", f) for r in kids[None]]))
                elif not scope.endswith("!") and kids.get(int(scope[1:])):
                    d = int(scope[1:])
                    out.append((whole, [cell_key(f"d{d}!", f)] + [cell_key(f"d{c}", f) for c in kids[d]]))
                if len(f) < MAX_FILTERS:
                    for a in ATTRS:
                        if a not in {x for x, _ in f}:
                            out.append((whole, [cell_key(scope, f + ((a, v),)) for v in self.values[a]]))
        return [(w, [p for p in parts if self.population(p)]) for w, parts in out]


# --- Reading the pages ---------------------------------------------------------------------------------------------

class Figures(HTMLParser):
    """Elements tagged data-cell (with their text and data-responses) and every <td> inside #results."""

    def __init__(self):
        super().__init__()
        self.stack, self.figures, self.cells, self.in_results = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") == "results":
            self.in_results = 1
        elif self.in_results and tag == "div":
            self.in_results += 1
        self.stack.append((tag, attrs, []))

    def handle_endtag(self, tag):
        if self.in_results and tag == "div":
            self.in_results -= 1
        while self.stack:
            t, attrs, text = self.stack.pop()
            content = "".join(text).strip()
            if self.stack:
                self.stack[-1][2].append(content)
            if "data-cell" in attrs:
                self.figures.append((attrs["data-cell"], attrs.get("data-responses"), content))
            if t == "td" and self.in_results:
                self.cells.append((attrs, content))
            if t == tag:
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][2].append(data)


def _filter_sets(choices):
    out = [()]
    for k in range(1, MAX_FILTERS + 1):
        for attrs in combinations(ATTRS, k):
            for vals in product(*([v for v, _ in choices[a]] for a in attrs)):
                out.append(tuple(zip(attrs, vals, strict=True)))
    return out


def _export_keys(tables, group_key, filters, names, fewer):
    """(key, stated response count or None) for every row of a download that carries numbers; rows
    without numbers must say "fewer than N responses" in every figure column."""
    suffix = "".join(f"|{a}={v}" for a, v in sorted(filters))
    by_label = {}
    for pk, name in names.items():
        by_label[name] = f"d{pk}{suffix}"
        by_label[f"{name}: staff not in a team below"] = f"d{pk}!{suffix}"
    shown = []
    for title, rows in tables:
        if title.startswith("About"):
            continue
        for i, row in enumerate(rows):
            figures = [v for v in row[1:] if not (isinstance(v, str) and not v.replace(".", "").lstrip("-").isdigit())]
            words = [v for v in row[1:] if v not in figures]
            if title.startswith("Response rate"):
                key = group_key if i == 0 else by_label[str(row[0]).lstrip("\u2014 ")]
                responses = row[2]
            elif title.startswith("Departments by dimension"):
                key, responses = by_label[str(row[0]).lstrip("\u2014 ")], row[1]
            elif title.startswith("Scores by dimension"):
                key, responses = group_key, row[2]
                if len(row) > 3 and str(row[3]) != fewer:  # HR: the whole organisation beside it
                    shown.append((cell_key(ORG, filters), None))
                figures = [v for v in row[1:3] if str(v) != fewer]
                words = row[1:3]
            elif title.startswith("Answers by question"):
                key, responses, words = group_key, None, row[2:]
                figures = [v for v in row[2:] if str(v) != fewer]
            else:  # the trend: this survey has one closed wave
                key, responses = group_key, None
            if figures:
                shown.append((key, None if responses is None or str(responses) == fewer else responses))
            else:
                assert words and all(str(v) == fewer for v in words), (title, row)
    return shown


def _csv_tables(content: bytes):
    """(title, body rows) per table: a title row, a header row, the body, a blank row."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))))
    tables, block = [], []
    for row in rows + [[]]:
        if row:
            block.append(row)
        elif block:
            tables.append((block[0][0], block[2:]))
            block = []
    return tables


def _xlsx_tables(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [(sheet.cell(1, 1).value, [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)])
            for sheet in book.worksheets]


# --- The attack ------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_every_filter_and_download_as_hr_discloses_nothing(client, org, attacked):
    wave = attacked
    truth = Truth(wave)
    release = selectors.figures_release(wave)
    n = truth.n
    fewer = str(selectors.Suppressed(n))
    names = dict(Department.objects.values_list("pk", "name"))
    choices = results.filter_choices(wave)
    client.force_login(org.hr)
    url = reverse("surveys:results", args=[wave.pk])
    shown: dict[str, int] = {}
    pages = 0
    for department in [None, *Department.objects.order_by("pk")]:
        for filters in _filter_sets(choices):
            params = dict(filters)
            if department is not None:
                params["department"] = department.pk
            html = client.get(url, params).content.decode()
            pages += 1
            parser = Figures()
            parser.feed(html)
            assert parser.cells, params
            for attrs, text in parser.cells:
                assert "data-cell" in attrs or text == fewer, (params, attrs, text)
                assert text != "", (params, attrs)  # (a 0 inside a released group is a real count)
            for key, responses, _ in parser.figures:
                true = truth.count(key)
                assert true >= n, f"{key} shown with {true} responses ({params})"
                if responses is not None:
                    assert int(responses) == true, (key, responses, true)
                shown[key] = true
            group_key = cell_key(ORG if department is None else f"d{department.pk}", filters)
            # Every CSV; the XLSX (the same tables, test_exports checks) for every department and every
            # filter of the organisation.
            downloads = [("csv", _csv_tables)]
            if department is None or not filters:
                downloads.append(("xlsx", _xlsx_tables))
            for fmt, reader in downloads:
                download = client.get(reverse(f"surveys:results_{fmt}", args=[wave.pk]), params)
                assert download.status_code == 200
                for key, responses in _export_keys(reader(download.content), group_key, filters, names, fewer):
                    true = truth.count(key)
                    assert true >= n, f"{fmt}: {key} shown with {true} responses ({params})"
                    if responses is not None:
                        assert int(responses) == true, (fmt, key, responses, true)
                    shown[key] = true
    assert pages == (1 + len(names)) * len(_filter_sets(choices))

    # The figures shown are released cells, and enough of them to make the checks mean something.
    assert set(shown) <= release.released
    assert len(shown) > 30 and any("|" in k for k in shown) and any(k.endswith("!") for k in shown)

    # DESIGN.md's property over the figures shown. What the attacker can work out of a partition whose
    # whole is shown is the total of the parts not shown: none, or at least N (at least two hidden parts,
    # in DESIGN.md's words, or a single part that was released and is simply not on any page).
    partitions = truth.partitions()
    for whole, parts in partitions:
        if whole in shown:
            unshown = [p for p in parts if p not in shown]
            hidden = [p for p in unshown if not release.is_released(p)]
            assert not unshown or sum(truth.count(p) for p in unshown) >= n, (whole, unshown)
            assert len(hidden) != 1 or len(unshown) > 1, (whole, hidden)
        elif parts and not release.is_released(whole):
            assert not all(p in shown for p in parts), (whole, parts)

    # Beyond the per-partition rules, two stronger attacks on the same figures: nothing.
    assert release_leaks(truth, partitions, set(shown), release) == []
    assert any("|grade_band=" in k for k in shown) and BLANK in truth.values["grade_band"]
    # And at the level of people: no combination of the figures shown isolates fewer than N respondents.
    assert people_auditor.small_sets(truth.responses, set(shown), truth.parent, n) == []

    # Two attributes at once are refused, on the page and in the downloads, with a message.
    two = dict(zip(ATTRS[:2], (choices[ATTRS[0]][0][0], choices[ATTRS[1]][0][0]), strict=True))
    page = client.get(url, two).content.decode()
    assert "Choose one of work pattern, contract, work email and grade band at a time" in page
    parser = Figures()
    parser.feed(page)
    assert parser.figures == []
    for fmt in ("csv", "xlsx"):
        assert client.get(reverse(f"surveys:results_{fmt}", args=[wave.pk]), two).status_code == 400


def _tree_parts(truth, scope, filters):
    kids = truth.children()
    if scope == ORG:
        return [cell_key(f"d{r}", filters) for r in kids[None]]
    if scope.endswith("!") or not kids.get(int(scope[1:])):
        return []
    d = int(scope[1:])
    return [cell_key(f"d{d}!", filters)] + [cell_key(f"d{c}", filters) for c in kids[d]]


def _uncovered(truth, key, known):
    """The shown cells just beneath a cell in the tree (same filters), and what they leave uncovered:
    (people invited, responses) the attacker can compute as the difference."""
    scope, *pairs = key.split("|")
    filters = tuple(tuple(p.split("=", 1)) for p in pairs)
    invited, responses = truth.population(key), truth.count(key)
    stack = _tree_parts(truth, scope, filters)
    while stack:
        part = stack.pop()
        if part in known:
            invited -= truth.population(part)
            responses -= truth.count(part)
        else:
            stack.extend(_tree_parts(truth, part.split("|")[0], filters))
    return invited, responses


def release_leaks(truth, partitions, known: set[str], release) -> list[str]:
    """Groups under N an attacker knowing the counts of `known` can work out: (a) a hidden cell pinned by
    the partition equations (linear algebra), (b) a shown cell minus the shown cells just beneath it in
    the tree: the people in between, across several levels, if fewer than N responded."""
    counts = {}
    for whole, parts in partitions:
        for key in [whole, *parts]:
            counts.setdefault(key, truth.count(key))
    pinned = [k for k in recoverable(Release(n=truth.n, counts=counts, released=known), partitions)
              if not release.is_released(k)]
    between = []
    for key in sorted(known):
        invited, responses = _uncovered(truth, key, known)
        if invited > 0 and responses < truth.n:
            between.append(f"{key} minus the shown cells beneath it: {responses} responses")
    return pinned + between


def test_the_release_itself_survives_these_attacks(org, attacked):
    """Not only what the pages show: every cell the release released (adoption/ reads it directly)."""
    truth = Truth(attacked)
    release = selectors.figures_release(attacked)
    assert release_leaks(truth, truth.partitions(), set(release.released) & set(_all_cells(truth)), release) == []
    assert people_auditor.small_sets(truth.responses, release.released, truth.parent, release.n) == []


def _all_cells(truth):
    return {key for whole, parts in truth.partitions() for key in [whole, *parts]}


def test_the_attacker_would_notice_a_leak(org, attacked):
    """The checks above are real: releasing one hidden part of a shown whole breaks them."""
    truth = Truth(attacked)
    release = selectors.figures_release(attacked)
    partitions = truth.partitions()
    counts = Counter()
    for whole, parts in partitions:
        for key in [whole, *parts]:
            counts[key] = truth.count(key)
    for whole, parts in partitions:
        hidden = [p for p in parts if not release.is_released(p) and counts[p] > 0]
        if release.is_released(whole) and len(hidden) == 2 and all(release.is_released(p) for p in parts if p not in hidden):
            leaky = Release(n=release.n, counts=dict(counts), released=set(release.released) | {hidden[0]})
            assert hidden[1] in recoverable(leaky, partitions)
            return
    pytest.fail("no partition with exactly two hidden parts to plant a leak in")


def test_a_manager_gets_404_for_other_departments(client, org, attacked):
    client.force_login(org.env_manager)
    for department in Department.objects.exclude(pk__in=[org.environment.pk, org.waste.pk, org.parks.pk]):
        response = client.get(reverse("surveys:results", args=[attacked.pk]), {"department": department.pk})
        assert response.status_code == 404, department


def test_an_open_wave_shows_only_the_overall_rate(client, org):
    responders = _seed(org)
    wave = open_wave(make_pulse())
    answer(wave, responders[:40])
    client.force_login(org.hr)
    for department in [None, org.finance, org.waste]:
        params = {"department": department.pk} if department else {}
        html = client.get(reverse("surveys:results", args=[wave.pk]), params).content.decode()
        parser = Figures()
        parser.feed(html)
        assert parser.figures == [] and "data-overall-rate" in html
        assert html.count("%</td>") == 1
