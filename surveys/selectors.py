"""Reads of survey results. Every figure goes through the wave's release (decided when it closed): a
cell that is not released comes back as `Suppressed`, never as a number, so no page or export can show
what the decision hid.

Stable for adoption/ (documented, computed with database aggregates):
- `adkar_means(wave, department)`: mean (1-5) and response count per ADKAR element for a department
  subtree (or the organisation), with the barrier point; Suppressed where the cell is hidden.
- `participation_rates(wave, departments)`: invited, responded and rate per department subtree,
  shown only where the invited population is at least the wave's minimum group.
- `participation_by_segment(wave, attribute)`: the same per value of a staff attribute, organisation-wide.
- `cell_key_for(department=None, own_staff=False, filters=())`: the key of a cell, for the above.
- `latest_closed_wave(as_of=None)`: the closed wave readiness reads (the latest with ADKAR questions).
- `adkar_by_department(wave, department_ids)`: `adkar_means` for many department subtrees and the
  organisation at once (two queries whatever the number of departments).
- `value_means(wave, department)`: mean agreement per council value tagged on the wave's questions.
- `unanswered_open_waves()`: who has not yet answered each open wave (for reminders).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from organisation.models import Department
from surveys.models import Answer, Participation, Question, Response, Wave
from surveys.suppression import BLANK, ORG, Release, Tree, cell_key, parse_key


@dataclass(frozen=True)
class Suppressed:
    """A figure that may not be shown (never blank, never zero). Every hidden figure gives the same
    reason, whichever rule hid it: a group hidden only to protect a smaller one may have many responses,
    so "fewer than N" alone would be untrue, and naming the rule would tell a reader which groups are
    the small ones."""

    n: int

    def __str__(self):
        return f"fewer than {self.n} responses, or hidden to protect a smaller group"


def answer_sheet_questions(survey) -> QuerySet[Question]:
    """A survey's questions in the order staff answer them (section by section), with their sections."""
    return survey.questions.select_related("section").order_by("section__order", "section_id", "order", "pk")


def cell_key_for(department: Department | None = None, *, own_staff: bool = False, filters=()) -> str:
    scope = ORG if department is None else f"d{department.pk}{'!' if own_staff else ''}"
    return cell_key(scope, tuple((a, str(v)) for a, v in filters))


def figures_release(wave: Wave) -> Release | None:
    if wave.status != Wave.Status.CLOSED or not wave.released:
        return None
    return Release.from_json(wave.released["figures"])


def comments_release(wave: Wave) -> Release | None:
    """The cells whose comments may be shown: released for comments and for figures alike. The release
    has held comments to the figures' cells since it was decided that way; reading it so here too keeps a
    release stored before then, or edited by hand, from showing comments where figures are hidden."""
    if wave.status != Wave.Status.CLOSED or not wave.released:
        return None
    comments = Release.from_json(wave.released["comments"])
    comments.released &= set(wave.released["figures"]["released"])
    return comments


def release_tree(wave: Wave) -> Tree:
    """The department tree a closed wave's release was decided on (stored with it, so results keep their
    shape when departments move later); the tree as it is now for a wave without one."""
    if wave.released and "tree" in wave.released:
        return Tree.from_json(wave.released["tree"])
    return current_tree()


def current_tree() -> Tree:
    """The department tree as it is now (one query)."""
    rows = list(Department.objects.values_list("pk", "parent_id", "name"))
    return Tree(parent={pk: parent for pk, parent, _ in rows}, names={pk: name for pk, _, name in rows})


def cell_responses(wave: Wave, key: str, tree: Tree | None = None) -> QuerySet[Response]:
    """The responses in a cell, departments as the wave's release saw them (for released cells only:
    callers check the release first)."""
    scope, pairs = parse_key(key)
    qs = Response.objects.filter(wave=wave)
    if scope != ORG:
        qs = qs.filter(department_id__in=(tree or release_tree(wave)).members(scope))
    for attr, value in pairs:
        if attr == "has_work_email":
            qs = qs.filter(has_work_email=value == "True")
        else:
            qs = qs.filter(**{attr: "" if value == BLANK else value})
    return qs


def _released(wave: Wave, key: str) -> Release | Suppressed | None:
    release = figures_release(wave)
    if release is None:
        return None
    return release if release.is_released(key) else Suppressed(wave.min_group_size)


def question_distribution(wave: Wave, key: str, question: Question):
    """{value: count} for a scale or choice question in a cell, or Suppressed / None (not closed)."""
    state = _released(wave, key)
    if not isinstance(state, Release):
        return state
    answers = Answer.objects.filter(response__in=cell_responses(wave, key), question=question)
    if question.type in (Question.Type.AGREE5, Question.Type.SCALE10):
        return dict(answers.values_list("number").annotate(n=Count("pk")).order_by("number"))
    counts: dict[str, int] = {}
    for chosen in answers.values_list("choices", flat=True):
        for c in chosen:
            counts[c] = counts.get(c, 0) + 1
    return counts


def dimension_means(wave: Wave, key: str) -> dict | Suppressed | None:
    """{dimension: (mean 1-5, responses)} over agreement questions in a cell. The mean is not rounded:
    the barrier rule compares the exact mean with 3 (a 3.004 is not a barrier); pages round to show it."""
    state = _released(wave, key)
    if not isinstance(state, Release):
        return state
    rows = (
        Answer.objects.filter(response__in=cell_responses(wave, key), question__type=Question.Type.AGREE5)
        .exclude(question__dimension="")
        .values("question__dimension")
        .annotate(mean=Avg("number"), responses=Count("response", distinct=True))
    )
    return {r["question__dimension"]: (float(r["mean"]), r["responses"]) for r in rows}


def barrier_point(means: dict) -> str | None:
    """The first ADKAR element, in order, whose exact (unrounded) mean is 3 or less (REFERENCE.md); None if
    none."""
    for element in Question.ADKAR:
        if element in means and means[element][0] <= 3:
            return element
    return None


def adkar_means(wave: Wave, department: Department | None = None):
    """ADKAR element means for a department subtree (or the organisation) in a closed wave."""
    means = dimension_means(wave, cell_key_for(department))
    if not isinstance(means, dict):
        return means
    adkar = {k: v for k, v in means.items() if k in Question.ADKAR}
    return {"means": adkar, "barrier": barrier_point(adkar)}


def latest_closed_wave(as_of: date | None = None) -> Wave | None:
    """The most recent closed wave (by closing time) whose survey asks ADKAR questions and whose release
    is stored: the one readiness reads (DESIGN.md). `as_of`: the latest that had closed by that day."""
    qs = Wave.objects.filter(status=Wave.Status.CLOSED, released__isnull=False,
                             survey__questions__dimension__in=Question.ADKAR)
    if as_of is not None:
        end = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min))
        qs = qs.filter(closes_at__lt=end)
    pk = qs.order_by("-closes_at", "-pk").values_list("pk", flat=True).first()
    return None if pk is None else Wave.objects.select_related("survey").get(pk=pk)


def adkar_by_department(wave: Wave, department_ids) -> dict:
    """{department id: adkar_means(wave, department)} for each id, plus the organisation under None.

    The same figures as `adkar_means`, through the same release: a department whose subtree cell is not
    released is `Suppressed`; one the wave's tree did not know (made later) is absent. Means are exact
    (sums and counts rolled up the release's tree), and `responses` is the cell's response count."""
    release = figures_release(wave)
    if release is None:
        return {}
    tree = release_tree(wave)
    rows = (
        Answer.objects.filter(response__wave=wave, question__type=Question.Type.AGREE5,
                              question__dimension__in=Question.ADKAR, number__isnull=False)
        .values("response__department_id", "question__dimension")
        .annotate(total=Sum("number"), answers=Count("pk"), responses=Count("response", distinct=True))
        .order_by()
    )
    direct: dict[int | None, dict[str, list[int]]] = {}
    for r in rows:
        direct.setdefault(r["response__department_id"], {}).setdefault(
            r["question__dimension"], [0, 0, 0])
        acc = direct[r["response__department_id"]][r["question__dimension"]]
        acc[0] += r["total"]
        acc[1] += r["answers"]
        acc[2] += r["responses"]

    def cell(key: str, members) -> dict | Suppressed:
        if not release.is_released(key):
            return Suppressed(wave.min_group_size or release.n)
        sums: dict[str, list[int]] = {}
        for m in (direct if members is None else members):
            for element, (total, answers, responses) in direct.get(m, {}).items():
                acc = sums.setdefault(element, [0, 0, 0])
                acc[0] += total
                acc[1] += answers
                acc[2] += responses
        means = {e: (t / a, r) for e, (t, a, r) in sums.items() if a}
        adkar = {e: means[e] for e in Question.ADKAR if e in means}
        return {"means": adkar, "barrier": barrier_point(adkar), "responses": release.counts.get(key, 0)}

    out: dict = {None: cell(ORG, None)}
    for pk in department_ids:
        if pk in tree.parent:
            out[pk] = cell(cell_key_for_id(pk), tree.members(f"d{pk}"))
    return out


def cell_key_for_id(department_id: int) -> str:
    return cell_key(f"d{department_id}")


def value_means(wave: Wave, department: Department | None = None) -> dict | Suppressed | None:
    """{council value id: (mean 1-5, answers)} over the agreement questions tagged with each value, in a
    department subtree's cell (or the organisation's), through the release like every figure."""
    key = cell_key_for(department)
    state = _released(wave, key)
    if not isinstance(state, Release):
        return state
    rows = (Answer.objects.filter(response__in=cell_responses(wave, key), question__type=Question.Type.AGREE5,
                                  number__isnull=False, question__values__isnull=False)
            .values("question__values").annotate(mean=Avg("number"), answers=Count("pk")).order_by())
    return {r["question__values"]: (float(r["mean"]), r["answers"]) for r in rows}


def participation_rates(wave: Wave, departments) -> list[dict]:
    """Invited, responded and rate per department subtree (departments as the wave's release saw them);
    counts and rates only where the invited population is at least the minimum group (DESIGN.md),
    otherwise Suppressed. One query, whatever the number of departments."""
    n = wave.min_group_size or 5
    tree = release_tree(wave)
    per_department = {
        r["department_id"]: r for r in Participation.objects.filter(wave=wave).values("department_id")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded=True))).order_by()
    }
    out = []
    for d in departments:
        rows = [per_department[m] for m in tree.members(f"d{d.pk}") if m in per_department]
        agg = {"invited": sum(r["invited"] for r in rows), "responded": sum(r["responded"] for r in rows)}
        out.append(_rate_row(d, agg, n))
    return out


def participation_by_segment(wave: Wave, attribute: str) -> list[dict]:
    if attribute not in {"work_pattern", "contract", "has_work_email", "grade_band"}:
        raise ValueError(attribute)
    n = wave.min_group_size or 5
    rows = (Participation.objects.filter(wave=wave).values(attribute)
            .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded=True))).order_by(attribute))
    return [_rate_row(r[attribute], r, n) for r in rows]


def _rate_row(group, agg, n):
    if agg["invited"] < n:
        return {"group": group, "invited": Suppressed(n), "responded": Suppressed(n), "rate": Suppressed(n)}
    return {"group": group, "invited": agg["invited"], "responded": agg["responded"],
            "rate": round(100 * agg["responded"] / agg["invited"]) if agg["invited"] else 0}


def overall_response_rate(wave: Wave) -> dict:
    """The only figure shown while a wave is open (DESIGN.md)."""
    agg = Participation.objects.filter(wave=wave).aggregate(
        invited=Count("pk"), responded=Count("pk", filter=Q(responded=True)))
    return _rate_row("organisation", agg, wave.min_group_size or 5)


def unanswered_open_waves(profile_ids=None) -> list[dict]:
    """For reminders (adoption's nudges): every open wave and each active person invited to it who has
    not responded (only `profile_ids`' when given), as {profile_id, wave_id, title, closes_at}. One query;
    reads only the participation record (who took part), never a response."""
    rows = Participation.objects.filter(wave__status=Wave.Status.OPEN, responded=False, profile__active=True)
    if profile_ids is not None:
        rows = rows.filter(profile_id__in=profile_ids)
    return [
        {"profile_id": r["profile_id"], "wave_id": r["wave_id"], "title": r["wave__survey__title"],
         "closes_at": r["wave__closes_at"]}
        for r in rows.order_by("wave_id", "profile_id")
        .values("profile_id", "wave_id", "wave__survey__title", "wave__closes_at")
    ]
