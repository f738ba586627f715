"""The readiness model: pure functions over plain inputs (no database), so each rule is easy to test.

A department's readiness is a weighted mean of components on 0-100, each computed over everyone in the
department and in every team beneath it (each person counted once, so a team of 60 weighs six times a
team of 10: the roll-up is weighted by headcount). Components (DESIGN.md):

- learning: assigned modules completed, as a percentage of assigned modules;
- knowledge: the mean of best knowledge-check scores (percent);
- adkar: the mean of the five ADKAR element means from the latest closed survey wave, 1-5 mapped to
  0-100 ((mean - 1) / 4 x 100), read through that wave's release: a hidden cell is never used;
- participation: that wave's response rate, where the invited population is at least the minimum group;
- confidence: the mean change in self-rated confidence (after minus before, on 1-5) mapped to 0-100,
  50 meaning no change (50 + 12.5 x change: +4 gives 100, -4 gives 0).

A component needs at least the minimum group (N, council settings) behind it, or it is left out and the
others are re-weighted (weights are council configuration, shown on every page). A score needs
components carrying at least half of the total weight: otherwise "not enough data yet", never a number.
A later component (AI tool use) is one more entry in COMPONENTS and the weights: the others keep their
meaning because each is on its own 0-100 scale and absent ones are re-weighted away.

A change between two snapshots is called a change only when it is beyond the noise: the difference
between the two scores, read as proportions of the people behind them (the headcount), must be larger
than its 95% margin, 1.96 x sqrt(p1(1 - p1) / n1 + p2(1 - p2) / n2).
"""

import math
import statistics
from dataclasses import dataclass, field
from datetime import date

ADKAR = ("awareness", "desire", "knowledge", "ability", "reinforcement")
ADKAR_LABELS = {e: e.capitalize() for e in ADKAR}


@dataclass(frozen=True)
class Spec:
    key: str
    label: str
    default_weight: int
    phrase: str  # the label inside a sentence
    short: str  # a table's column heading


COMPONENTS = (
    Spec("learning", "Learning completed", 30, "learning completed", "Learning"),
    Spec("knowledge", "Knowledge checks", 20, "knowledge checks", "Knowledge"),
    Spec("adkar", "Readiness for change (ADKAR model, Prosci)", 25, "readiness for change (ADKAR)", "ADKAR"),
    Spec("participation", "Survey participation", 15, "survey participation", "Taking part"),
    Spec("confidence", "Confidence uplift", 10, "confidence uplift", "Confidence"),
)
HOW = {
    "learning": "the share of assigned modules that have been completed",
    "knowledge": "the average best score in modules' knowledge checks",
    "adkar": ("the average of the five ADKAR element averages in the latest closed survey wave, from 1 to 5 "
              "turned into 0 to 100"),
    "participation": "the share of staff invited to that survey wave who answered it",
    "confidence": ("how much staff's own rating of their confidence (1 to 5) changed from before a module to after "
                   "it, on average: 50 means no change, 100 a rise of 4, 0 a fall of 4"),
}
LABELS = {c.key: c.label for c in COMPONENTS}
PHRASES = {c.key: c.phrase for c in COMPONENTS}
DEFAULT_WEIGHTS = {c.key: c.default_weight for c in COMPONENTS}
MIN_WEIGHT_SHARE = 0.5  # a score needs components carrying at least this share of the total weight
Z95 = 1.96

# What a manager can do about each element of the ADKAR model (Prosci) when it is the barrier (the
# element comes first even if a later one is lower: REFERENCE.md), written for a council.
ACTIONS = {
    "awareness": [
        "Explain at a team meeting why the council is using AI, what it is for and what it is not for.",
        "Share the council's AI policy and where to ask questions, in the places frontline staff see.",
        "Assign \"What AI is and isn't\" so everyone starts from the same facts.",
    ],
    "desire": [
        "Hold a listening session: ask what worries the team and answer honestly, without pressure.",
        "Share what AI will and will not change for this team's jobs, and that it supports people, not replaces them.",
        "Ask a colleague who has found AI useful to show a real, small example from their own work.",
    ],
    "knowledge": [
        'Assign "Using AI safely at work" and give time in working hours to do it.',
        'Assign "Checking AI output" before anyone uses AI for work that reaches residents.',
        "Point people to the approved tools and the council's guidance on what may be typed into them.",
    ],
    "ability": [
        "Set aside practice time with an approved tool on a low-risk task the team really does.",
        "Pair people who are confident with those who are not, and make asking for help normal.",
        'Assign "Writing good prompts" and try its exercises together.',
    ],
    "reinforcement": [
        "Recognise good, careful use in team meetings, including someone who spotted an AI mistake.",
        "Review after a month what worked and what did not, and write it into the team's way of working.",
        "Check that the tools and time promised are still there.",
    ],
}


@dataclass(frozen=True)
class Inputs:
    """Everything a department's readiness is computed from (over its whole subtree)."""

    headcount: int = 0
    assigned: int = 0
    completed: int = 0
    overdue: int = 0
    scored: int = 0
    score_total: int = 0
    paired: int = 0
    uplift_total: int = 0
    # ADKAR from the wave's released cell: {"means": {element: (mean, responses)}, "responses": n};
    # None when there is no figure, with `adkar_missing` saying why.
    adkar: dict | None = None
    adkar_missing: str = "no closed survey wave has asked the ADKAR questions yet"
    invited: int | None = None
    responded: int | None = None
    participation_missing: str = "no closed survey wave yet"
    wave_name: str = ""


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    weight: int
    value: float | None  # 0-100, or None when left out
    n: int
    inputs: str  # plain words: what it is computed from
    missing: str = ""  # why it is left out
    share: float = 0.0  # the weight it carries after re-weighting, as a percentage (0 when left out)

    brief: str = ""  # the inputs in a few words, for the why sentence

    @property
    def present(self) -> bool:
        return self.value is not None

    @property
    def phrase(self) -> str:
        return PHRASES[self.key]


@dataclass(frozen=True)
class Barrier:
    element: str
    mean: float
    responses: int

    @property
    def label(self) -> str:
        return ADKAR_LABELS[self.element]

    @property
    def actions(self) -> list[str]:
        return ACTIONS[self.element]


@dataclass(frozen=True)
class Lever:
    key: str
    value: float
    median: float
    gain: float

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def phrase(self) -> str:
        return PHRASES[self.key]


@dataclass(frozen=True)
class Readiness:
    score: float | None
    components: list[Component]
    barrier: Barrier | None
    headcount: int
    adkar_means: dict = field(default_factory=dict)

    @property
    def present(self) -> list[Component]:
        return [c for c in self.components if c.present]

    @property
    def missing(self) -> list[Component]:
        return [c for c in self.components if not c.present and c.weight > 0]

    def component(self, key: str) -> Component | None:
        return next((c for c in self.components if c.key == key), None)

    @property
    def reweighted(self) -> bool:
        return self.score is not None and bool(self.missing)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(n: int, min_n: int, what: str) -> str:
    if n == 0:
        return f"no {what} yet"
    return f"only {n:,} {what}, {min_n} needed"


def components(inputs: Inputs, weights: dict[str, int], min_n: int) -> list[Component]:
    """Each component's value (or why it is left out), inputs and n. `min_n`: the minimum group."""
    out = []
    for spec in COMPONENTS:
        w = int(weights.get(spec.key, 0))
        value, n, text, missing, brief = None, 0, "", "", ""
        if spec.key == "learning":
            n = inputs.assigned
            text = (f"{inputs.completed:,} of {_plural(inputs.assigned, 'assigned module')} completed"
                    f"{f' ({inputs.overdue:,} overdue)' if inputs.overdue else ''}")
            brief = f"{inputs.completed:,} of {inputs.assigned:,} assigned modules done"
            if n >= min_n:
                value = 100 * inputs.completed / n
            else:
                missing = _short(n, min_n, "assigned modules")
        elif spec.key == "knowledge":
            n = inputs.scored
            avg = inputs.score_total / n if n else 0
            text = f"average best score {avg:.0f}% over {_plural(n, 'module')} with a knowledge-check score"
            brief = f"average score {avg:.0f}% over {n:,} modules"
            if n >= min_n:
                value = avg
            else:
                missing = _short(n, min_n, "knowledge-check scores")
        elif spec.key == "adkar":
            if inputs.adkar is not None and inputs.adkar.get("means"):
                means = inputs.adkar["means"]
                n = inputs.adkar.get("responses", 0)
                mean = sum(m for m, _ in means.values()) / len(means)
                value = (mean - 1) / 4 * 100
                brief = f"{mean:.1f} of 5 from {_plural(n, 'response')}"
                text = (f"mean of {len(means)} ADKAR element{'s' if len(means) != 1 else ''} {mean:.1f} of 5 "
                        f"from {_plural(n, 'response')}{f' ({inputs.wave_name})' if inputs.wave_name else ''}")
            else:
                missing = inputs.adkar_missing
                text = "the ADKAR questions of the latest closed survey wave"
        elif spec.key == "participation":
            if inputs.invited is not None and inputs.invited >= min_n:
                n = inputs.invited
                value = 100 * (inputs.responded or 0) / n
                brief = f"{inputs.responded or 0:,} of {n:,} invited responded"
                text = (f"{inputs.responded or 0:,} of {_plural(n, 'invited member')} of staff responded"
                        f"{f' to {inputs.wave_name}' if inputs.wave_name else ''}")
            else:
                missing = inputs.participation_missing
                text = "the response rate of the latest closed survey wave"
        elif spec.key == "confidence":
            n = inputs.paired
            uplift = inputs.uplift_total / n if n else 0
            text = (f"confidence {'rose' if uplift >= 0 else 'fell'} by {abs(uplift):.1f} on a 1-5 scale on average, "
                    f"from {_plural(n, 'rating')} given before and after a module")
            brief = f"{uplift:+.1f} on 1-5 over {_plural(n, 'module')} rated before and after"
            if n >= min_n:
                value = max(0.0, min(100.0, 50 + 12.5 * uplift))
            else:
                missing = _short(n, min_n, "before-and-after ratings")
        out.append(Component(spec.key, spec.label, w, value, n, text, missing, brief=brief))
    return out


def barrier(adkar: dict | None) -> Barrier | None:
    """The first ADKAR element, in order, whose exact mean is 3 or less of 5 (DESIGN.md); None if none."""
    if not adkar:
        return None
    for element in ADKAR:
        if element in adkar.get("means", {}):
            mean, responses = adkar["means"][element]
            if mean <= 3:
                return Barrier(element, mean, responses)
    return None


def readiness(inputs: Inputs, weights: dict[str, int], min_n: int) -> Readiness:
    """Score, components (with their share after re-weighting) and barrier for one department."""
    parts = components(inputs, weights, min_n)
    total_weight = sum(c.weight for c in parts)
    present_weight = sum(c.weight for c in parts if c.present)
    score = None
    if total_weight > 0 and present_weight > 0 and present_weight >= MIN_WEIGHT_SHARE * total_weight:
        score = sum(c.weight * c.value for c in parts if c.present) / present_weight
        parts = [Component(c.key, c.label, c.weight, c.value, c.n, c.inputs, c.missing,
                           100 * c.weight / present_weight if c.present else 0.0, c.brief) for c in parts]
    return Readiness(score, parts, barrier(inputs.adkar), inputs.headcount,
                     dict((inputs.adkar or {}).get("means", {})))


def medians(results) -> dict[str, float]:
    """The organisation's median of each component over departments that have it (for the lever)."""
    values: dict[str, list[float]] = {}
    for r in results:
        for c in r.present:
            values.setdefault(c.key, []).append(c.value)
    return {k: statistics.median(v) for k, v in values.items()}


def biggest_lever(result: Readiness, org_medians: dict[str, float]) -> Lever | None:
    """The single component which, moved up to the organisation's median, would raise the score most."""
    if result.score is None:
        return None
    present_weight = sum(c.weight for c in result.present)
    best = None
    for c in result.present:
        median = org_medians.get(c.key)
        if median is None or median <= c.value or c.weight == 0:
            continue
        gain = c.weight * (median - c.value) / present_weight
        if best is None or gain > best.gain:
            best = Lever(c.key, c.value, median, gain)
    return best


def why(result: Readiness, lever: Lever | None = None) -> list[str]:
    """Plain sentences saying why the score is what it is, generated from the inputs."""
    if result.score is None:
        reasons = [f"{c.phrase}: {c.missing}" for c in result.missing]
        return ["Not enough data yet for a readiness score. Missing: " + "; ".join(reasons) + "."]
    parts = "; ".join(f"{c.phrase} {c.value:.0f} ({c.brief}; weight {c.weight})" for c in result.present)
    out = [f"Readiness {result.score:.0f} of 100: {parts}."]
    if result.barrier is not None:
        b = result.barrier
        out.append(f"{b.label} is the barrier point: {b.mean:.1f} of 5 from {_plural(b.responses, 'response')}. "
                   "It is the first ADKAR element at 3 or below, so start there.")
    elif result.component("adkar") is not None and result.component("adkar").present:
        out.append("No ADKAR element is at 3 or below, so there is no barrier point.")
    counted = [c for c in result.present if c.weight > 0]  # a part weighted 0 pulls nothing down
    if len(counted) > 1:
        lowest = min(counted, key=lambda c: c.value)
        out.append(f"{_cap(lowest.phrase)} at {lowest.value:.0f} is the lowest part.")
    for c in result.missing:
        out.append(f"The {c.phrase} part is left out ({c.missing}); the other parts are re-weighted to make up 100.")
    if lever is not None and round(lever.gain) >= 1:
        out.append(f"The biggest lever: raising {lever.phrase} from {lever.value:.0f} to the "
                   f"organisation's median of {lever.median:.0f} would raise readiness by about {_plural(round(lever.gain), 'point')}.")
    return out


@dataclass(frozen=True)
class Change:
    delta: float
    margin: float
    since: date
    n_then: int
    n_now: int

    @property
    def clear(self) -> bool:
        return abs(self.delta) > self.margin

    @property
    def direction(self) -> str:
        if not self.clear:
            return "none"
        return "up" if self.delta > 0 else "down"

    def __str__(self) -> str:
        when = f"{self.since.day} {self.since:%B %Y}"
        if not self.clear:
            return (f"No clear change since {when} ({self.delta:+.0f}, within the noise of ±{self.margin:.0f}; "
                    f"n {self.n_then:,} then, {self.n_now:,} now)")
        return (f"{'Up' if self.delta > 0 else 'Down'} {abs(self.delta):.0f} since {when} "
                f"(beyond the noise of ±{self.margin:.0f}; n {self.n_then:,} then, {self.n_now:,} now)")


def change(score_then: float, n_then: int, score_now: float, n_now: int, since: date) -> Change | None:
    """The noise rule: a difference in proportions beyond its 95% interval. None without two scores."""
    if score_then is None or score_now is None or n_then <= 0 or n_now <= 0:
        return None
    p1, p2 = score_then / 100, score_now / 100
    margin = 100 * Z95 * math.sqrt(p1 * (1 - p1) / n_then + p2 * (1 - p2) / n_now)
    return Change(score_now - score_then, margin, since, n_then, n_now)


# --- Presentation helpers (pure) -----------------------------------------------------------------------

# The heatmap's colour scale is relative: it diverges around the organisation's own value, in points of
# 0-100, so contrast shows even when every department sits in a narrow band.
HEAT_BINS = (("m3", "15 or more points below the organisation"), ("m2", "7.5 to 15 points below"),
             ("m1", "2.5 to 7.5 points below"), ("0", "within 2.5 points of the organisation"),
             ("p1", "2.5 to 7.5 points above"), ("p2", "7.5 to 15 points above"), ("p3", "15 or more points above"))


def heat_bin(value: float | None, organisation: float | None) -> str:
    """The heatmap class suffix for a value compared with the organisation's ("" when either is missing)."""
    if value is None or organisation is None:
        return ""
    d = value - organisation
    if d <= -15:
        return "m3"
    if d <= -7.5:
        return "m2"
    if d < -2.5:
        return "m1"
    if d <= 2.5:
        return "0"
    if d < 7.5:
        return "p1"
    if d < 15:
        return "p2"
    return "p3"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: str  # SVG polyline points
    dots: list  # (x, y, label)
    y_ticks: list  # (y, label)
    x_ticks: list  # (x, label)


def trend_chart(series: list[tuple[date, float | None]], width: int = 640, height: int = 240) -> Chart | None:
    """An SVG line chart's geometry (drawn by the template, no script): days on x, score 0-100 on y. Days
    without a score break nothing: they are left out. None with fewer than two scores."""
    scored = [(d, s) for d, s in series if s is not None]
    if len(scored) < 2:
        return None
    left, right, top, bottom = 40, 10, 10, 30
    first, last = scored[0][0], scored[-1][0]
    span = max((last - first).days, 1)

    def x(d):
        return round(left + (width - left - right) * (d - first).days / span, 1)

    def y(s):
        return round(top + (height - top - bottom) * (1 - s / 100), 1)

    points = " ".join(f"{x(d)},{y(s)}" for d, s in scored)
    dots = [(x(d), y(s), f"{d.day} {d:%b}: {s:.0f}") for d, s in scored]
    y_ticks = [(y(v), str(v)) for v in (0, 25, 50, 75, 100)]
    x_ticks = [(x(first), f"{first.day} {first:%b}"), (x(last), f"{last.day} {last:%b}")]
    return Chart(width, height, points, dots, y_ticks, x_ticks)
