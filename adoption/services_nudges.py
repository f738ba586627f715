"""Writes for nudges: planning a day's reminders into the outbox, sending outbox rows exactly once,
resending failed ones, and people turning rules off.

Exactly once (DESIGN.md, "Nudges"):
- Planning inserts rows in bulk, ignoring conflicts on the unique key (person, rule, subject, period):
  planning twice, or two planners at once, leave one row a key.
- Sending claims one row at a time. On PostgreSQL the row stays locked (SELECT ... FOR UPDATE SKIP
  LOCKED) while its message goes out and is marked sent, in one transaction: another sender skips it,
  and a sender killed mid-send leaves it queued (the lock goes with the connection) for the next one.
  On SQLite (no row locks) a row is claimed by one atomic UPDATE ... WHERE status = 'queued', which only
  one sender can win; a claim left behind by a killed sender is marked failed after
  STALE_CLAIM_MINUTES for HR to check, never sent again blindly.
- At send time each batch is checked again (a fixed number of reads for the batch, not one per row): a
  row whose person has since turned the rule off (mandatory modules excepted) or left, or whose reason
  has gone (the module finished, the survey answered or closed), is claimed and marked skipped with why.
- A failed send keeps the row queued with its error and a later next_attempt_at; after
  NUDGE_SEND_MAX_ATTEMPTS it is failed, with the reason, for HR to see and resend.
"""

import contextlib
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from adoption import nudges
from adoption import selectors_nudges as selectors
from adoption.models import NudgeOptOut, NudgeSettings, Outbox
from courses.selectors import reminders as course_reminders
from organisation.models import CouncilSettings, StaffProfile
from organisation.services import audit_record
from surveys import selectors as survey_selectors

UNSUBSCRIBE_SALT = "adoption.nudges.unsubscribe"
STALE_CLAIM_MINUTES = 15
INSERT_BATCH = 1000

HEADLINES = {
    nudges.OVERDUE: "'{title}' is overdue",
    nudges.DUE_SOON: "'{title}' is due on {on}",
    nudges.SURVEY_CLOSING: "Last days to answer '{title}'",
    nudges.SURVEY_OPEN: "Tell us what you think: '{title}'",
    nudges.INACTIVE: "Pick up where you left off: '{title}'",
}
ACTIONS = {
    nudges.OVERDUE: "Go to the module",
    nudges.DUE_SOON: "Go to the module",
    nudges.SURVEY_CLOSING: "Answer the survey",
    nudges.SURVEY_OPEN: "Answer the survey",
    nudges.INACTIVE: "Go to your learning",
}


# --- Links --------------------------------------------------------------------------------------

def unsubscribe_token(profile_id: int, rule: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([profile_id, rule])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(profile id, rule) from a link, or None when it was not made here. Links do not expire: an old
    email's link must still work."""
    try:
        profile_id, rule = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if rule not in nudges.RULES or not isinstance(profile_id, int):
        return None
    return profile_id, rule


def unsubscribe_url(profile_id: int, rule: str) -> str:
    return settings.BASE_URL + reverse("adoption:unsubscribe", args=[unsubscribe_token(profile_id, rule)])


class _Links:
    """A run's absolute links (from the configured site URL, never a request's host), each path reversed
    once: reverse() is a measurable share of planning at 30,000 messages."""

    def __init__(self):
        self.preferences = settings.BASE_URL + reverse("adoption:notifications")
        self._unsubscribe = settings.BASE_URL + reverse("adoption:unsubscribe", args=["TOKEN"])
        self._actions: dict[str, str] = {}

    def unsubscribe(self, profile_id: int, rule: str) -> str:
        return self._unsubscribe.replace("TOKEN", unsubscribe_token(profile_id, rule))

    def action(self, subject: str) -> str:
        if subject not in self._actions:
            kind, _, ref = subject.partition(":")
            if kind == "module":
                path = reverse("courses:learning_module", args=[ref])
            elif kind == "wave":
                path = reverse("surveys:answer", args=[int(ref)])
            else:
                path = reverse("courses:learning_home")
            self._actions[subject] = settings.BASE_URL + path
        return self._actions[subject]


# --- Planning -----------------------------------------------------------------------------------

class NudgeRenderer:
    """Renders messages: the subject line, plain text and HTML (templates/adoption/email/nudge.*)."""

    def __init__(self, *, council_name: str, today: date):
        self.council_name, self.today, self.links = council_name, today, _Links()
        self.text = get_template("adoption/email/nudge.txt")
        self.html = get_template("adoption/email/nudge.html")

    def __call__(self, message: nudges.Message, first_name: str) -> dict:
        headline = HEADLINES[message.rule].format(title=message.title, on=nudges.long_date(message.on, self.today))
        context = {
            "first_name": first_name, "council_name": self.council_name, "headline": headline, "why": message.why,
            "action_url": self.links.action(message.subject), "action_label": ACTIONS[message.rule],
            "mandatory": message.mandatory, "rule_label": nudges.RULE_LABELS[message.rule].lower(),
            "unsubscribe_url": self.links.unsubscribe(message.profile_id, message.rule),
            "preferences_url": self.links.preferences,
        }
        return {"email_subject": f"{self.council_name}: {headline}"[:200],
                "text": self.text.render(context), "html": self.html.render(context)}


def nudges_plan(*, today: date | None = None) -> int:
    """Queue today's reminders in the outbox. Returns how many rows this run tried to add (a concurrent
    run may have added some of them first; the unique key keeps one). Reads in a fixed number of
    queries, renders only what is new, inserts in batches."""
    today = today or timezone.localdate()
    rules = NudgeSettings.load().rules()
    if not nudges.is_working_day(today, rules.division):
        return 0
    people = selectors.planning_inputs(today)
    periods = {m.period for p in people for m in nudges.candidates(p, rules, today)}
    messages = nudges.plan(people, rules, today, exists=selectors.existing_keys(periods))
    if not messages:
        return 0
    by_pid = {p.profile_id: p for p in people}
    render = NudgeRenderer(council_name=CouncilSettings.load().name, today=today)
    rows = [
        Outbox(profile_id=m.profile_id, rule=m.rule, subject=m.subject, period=m.period, planned_on=today,
               why=m.why, mandatory=m.mandatory, to=by_pid[m.profile_id].email,
               **render(m, by_pid[m.profile_id].first_name))
        for m in messages
    ]
    Outbox.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
    return len(rows)


DIGEST_LIST_LIMIT = 50  # names a list shows in an email; the rest are counted, with a link to the page


class DigestRenderer:
    """Renders a manager's weekly digest (templates/adoption/email/digest.*): named overdue training, each
    department's readiness, and who needs a word in person or a printed slip, with the page to print it."""

    def __init__(self, *, council_name: str, today: date):
        self.council_name, self.today, self.links = council_name, today, _Links()
        self.text = get_template("adoption/email/digest.txt")
        self.html = get_template("adoption/email/digest.html")
        self._department = settings.BASE_URL + reverse("organisation:department", args=[0])
        self._team = settings.BASE_URL + reverse("courses:team")

    def department_url(self, pk: int) -> str:
        return self._department.replace("/0/", f"/{pk}/")

    def team_url(self, pk: int) -> str:
        return f"{self._team}?department={pk}&state=overdue"

    def __call__(self, digest: nudges.Digest, first_name: str) -> dict:
        day = lambda d: nudges.long_date(d, self.today)  # noqa: E731
        sections = [{
            "name": s.name, "url": self.department_url(s.department_id), "team_url": self.team_url(s.department_id),
            "overdue_count": len(s.overdue), "overdue_more": max(0, len(s.overdue) - DIGEST_LIST_LIMIT),
            "overdue": [{"name": o.name, "module": o.module, "due": day(o.due_date), "team": o.team}
                        for o in s.overdue[:DIGEST_LIST_LIMIT]],
            "needs_a_word_more": max(0, len(s.needs_a_word) - DIGEST_LIST_LIMIT),
            "needs_a_word": [{"name": n.name, "module": n.module, "due": day(n.due_date), "overdue": n.overdue,
                              "team": n.team} for n in s.needs_a_word[:DIGEST_LIST_LIMIT]],
            "score": None if s.score is None else round(s.score), "change": s.change, "barrier": s.barrier,
        } for s in digest.departments]
        headline = f"Your team this week: {sum(len(s.overdue) for s in digest.departments)} overdue"
        context = {
            "first_name": first_name, "council_name": self.council_name, "headline": headline,
            "sections": sections, "why": digest.why, "rule_label": nudges.RULE_LABELS[nudges.DIGEST].lower(),
            "unsubscribe_url": self.links.unsubscribe(digest.profile_id, nudges.DIGEST),
            "preferences_url": self.links.preferences,
        }
        return {"email_subject": f"{self.council_name}: {headline}"[:200],
                "text": self.text.render(context), "html": self.html.render(context)}


def digests_plan(*, today: date | None = None, table=None) -> int:
    """Queue this week's manager digests (on the digest's day, or later that week when that day's run did
    not queue them). Keyed (manager, digest, week, ISO week), so a second run that week adds nothing; once
    the week's are queued, later runs that week stop before reading anything (so a manager appointed
    mid-week gets their first the next week). Readiness is worked out once for the run. Returns how many
    rows this run tried to add."""
    today = today or timezone.localdate()
    rules = NudgeSettings.load().rules()
    day = nudges.digest_day(today, rules)
    if day is None:
        return 0
    week = nudges.iso_week(day)
    if Outbox.objects.filter(rule=nudges.DIGEST, period=week).exists():
        return 0  # this week's went (a later run that week only catches up a missed or failed one)
    managers, sections = selectors.digest_inputs(today, rules, table=table)
    digests = nudges.plan_digests(managers, sections, rules, today, exists=selectors.existing_keys({week}))
    if not digests:
        return 0
    by_pid = {m.profile_id: m for m in managers}
    render = DigestRenderer(council_name=CouncilSettings.load().name, today=today)
    rows = [Outbox(profile_id=d.profile_id, rule=d.rule, subject=d.subject, period=d.period, planned_on=today,
                   why=d.why, to=by_pid[d.profile_id].email, **render(d, by_pid[d.profile_id].first_name))
            for d in digests]
    with transaction.atomic():  # all of the week's or none: a failed run is caught up whole
        Outbox.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
    return len(rows)


def queued_ids(*, now: datetime | None = None, limit: int = 10_000) -> list[int]:
    """Rows ready to be sent (queued, and not waiting for a retry)."""
    now = now or timezone.now()
    return list(Outbox.objects.filter(status=Outbox.Status.QUEUED)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .order_by("id").values_list("id", flat=True)[:limit])


def nudges_run(*, now: datetime | None = None) -> list[int]:
    """The daily run (beat calls it every hour): once a day, at or after the configured hour, on working
    days, plan and return the ids ready to send. Calling it again the same day plans nothing new."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    with transaction.atomic():
        config = NudgeSettings.objects.select_for_update().get(pk=NudgeSettings.load().pk)
        if now.hour < config.daily_hour or config.last_planned_on == today:
            return []
        config.last_planned_on = today
        config.save(update_fields=["last_planned_on"])
    nudges_plan(today=today)
    digests_plan(today=today)
    return queued_ids(now=now)


# --- Sending ------------------------------------------------------------------------------------

# Errors that mean the mail server is not there or not talking: stop the batch and retry it later.
SERVER_ERRORS = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError)


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)  # still queued: the caller tries them again later
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # sent, failed, claimed by another sender, or not due yet
    not_needed: list[int] = field(default_factory=list)  # claimed and marked skipped: the reason had gone
    error: str = ""


def _email(row: Outbox, mail_connection) -> EmailMultiAlternatives:
    headers = {"X-Tandem-Outbox": str(row.pk)}  # which row it came from: for support, and for counting in tests
    if not row.mandatory:
        # RFC 8058 one-click unsubscribe (and RFC 2369's List-Unsubscribe that it builds on).
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(row.profile_id, row.rule)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(subject=row.email_subject, body=row.text, to=[row.to], headers=headers,
                                     connection=mail_connection)
    message.attach_alternative(row.html, "text/html")
    return message


def _max_attempts() -> int:
    return settings.NUDGE_SEND_MAX_ATTEMPTS


def _retry_delay(attempts: int) -> timedelta:
    base = settings.NUDGE_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 3600))


def _record_failure(row: Outbox, exc: Exception, now: datetime) -> bool:
    """Count a failed attempt; True when the row is now failed for good."""
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    row.claimed_at = None
    if row.attempts >= _max_attempts():
        row.status = Outbox.Status.FAILED
        row.next_attempt_at = None
    else:
        row.status = Outbox.Status.QUEUED
        row.next_attempt_at = now + _retry_delay(row.attempts)
    row.save(update_fields=["attempts", "last_error", "claimed_at", "status", "next_attempt_at"])
    return row.status == Outbox.Status.FAILED


def _mark_sent(row: Outbox, now: datetime) -> None:
    Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.SENT, sent_at=now, attempts=F("attempts") + 1,
                                            last_error="", next_attempt_at=None, claimed_at=None)


def _claim_locked(pk: int, now: datetime) -> Outbox | None:
    return (Outbox.objects.select_for_update(skip_locked=True)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk=pk, status=Outbox.Status.QUEUED)
            .first())


def _claim_by_update(pk: int, now: datetime) -> Outbox | None:
    won = (Outbox.objects
           .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk=pk, status=Outbox.Status.QUEUED)
           .update(status=Outbox.Status.SENDING, claimed_at=now))
    return Outbox.objects.get(pk=pk) if won else None


SKIP_LEFT = "They have left: their staff profile is inactive."
SKIP_OPTED_OUT = "They have turned these reminders off."
SKIP_MODULE = "The module has been finished or is no longer assigned."
SKIP_WAVE = "The survey has been answered or has closed."
SKIP_NOTHING_TO_DO = "They have no learning left to do."
SKIP_REPORT = "They can no longer open this report (their role or departments changed), or it has expired."


def reasons_gone(ids: list[int], *, now: datetime | None = None) -> dict[int, str]:
    """The queued rows among `ids` that should no longer be sent, with why. Five reads for the whole batch:
    the rows, who is still active, opt-outs, modules still to do, surveys still open and unanswered (and
    two for each scheduled report's email, of which there are a handful: can the recipient still open it)."""
    now = now or timezone.now()
    rows = list(Outbox.objects.filter(pk__in=ids, status=Outbox.Status.QUEUED)
                .values_list("pk", "profile_id", "rule", "subject", "mandatory"))
    if not rows:
        return {}
    pids = {r[1] for r in rows}
    active = set(StaffProfile.objects.filter(pk__in=pids, active=True).values_list("pk", flat=True))
    opted = set(NudgeOptOut.objects.filter(profile_id__in=pids).values_list("profile_id", "rule"))
    modules = {(r["profile_id"], f"module:{r['slug']}") for r in course_reminders.modules_to_do(pids)}
    learners = {pid for pid, _ in modules}
    waves = {(r["profile_id"], f"wave:{r['wave_id']}") for r in survey_selectors.unanswered_open_waves(pids)
             if r["closes_at"] is None or r["closes_at"] > now}
    out = {}
    for pk, pid, rule, subject, mandatory in rows:
        if pid not in active:
            out[pk] = SKIP_LEFT
        elif (pid, rule) in opted and not mandatory:
            out[pk] = SKIP_OPTED_OUT
        elif rule in nudges.MODULE_RULES and (pid, subject) not in modules:
            out[pk] = SKIP_MODULE
        elif rule in (nudges.SURVEY_OPEN, nudges.SURVEY_CLOSING) and (pid, subject) not in waves:
            out[pk] = SKIP_WAVE
        elif rule == nudges.INACTIVE and pid not in learners:
            out[pk] = SKIP_NOTHING_TO_DO
        elif rule == nudges.REPORT and not _may_open_report(pid, subject):
            out[pk] = SKIP_REPORT
    return out


def _may_open_report(profile_id: int, subject: str) -> bool:
    """A scheduled report's email (subject "report:<id>") goes only to someone who may still open it."""
    from adoption.models import Report
    from adoption.services_reports import may_download

    report = (Report.objects.select_related("schedule", "department")
              .filter(pk=subject.partition(":")[2], status=Report.Status.READY).first())
    profile = StaffProfile.objects.select_related("user").filter(pk=profile_id).first()
    return report is not None and profile is not None and may_download(profile.user, report)


def _mark_skipped(row: Outbox, reason: str, result: SendResult) -> bool:
    Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.SKIPPED, skip_reason=reason[:200],
                                            claimed_at=None, next_attempt_at=None)
    result.not_needed.append(row.pk)
    return True


def _send_one(pk: int, mail_connection, result: SendResult, gone: dict[int, str]) -> bool:
    """Claim, send and mark one row (or mark it skipped when its reason has gone). False when the mail
    server is down (stop the batch)."""
    now = timezone.now()
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            row = _claim_locked(pk, now)  # locked until the mark is written
            if row is None:
                result.skipped.append(pk)
                return True
            if pk in gone:
                return _mark_skipped(row, gone[pk], result)
            return _deliver(row, mail_connection, result, now, mark_first=True)
    with transaction.atomic():
        row = _claim_by_update(pk, now)  # committed with this block: the claim is ours alone
    if row is None:
        result.skipped.append(pk)
        return True
    if pk in gone:
        return _mark_skipped(row, gone[pk], result)
    return _deliver(row, mail_connection, result, now, mark_first=False)


def _deliver(row: Outbox, mail_connection, result: SendResult, now: datetime, *, mark_first: bool) -> bool:
    """Send one claimed row and mark it sent. With the row locked (PostgreSQL) the mark is written first,
    in a savepoint that a failed send rolls back, so that once the mail server has taken the message only
    the commit is left to do: the moment in which a killed sender would leave a sent message queued is
    as short as it can be. On SQLite the mark follows the send (a write transaction there would hold the
    whole database while the mail server answers)."""
    try:
        mail_connection.open()  # once for the batch (does nothing when open), so each send does not reconnect
        if mark_first:
            with transaction.atomic():
                _mark_sent(row, now)
                _email(row, mail_connection).send()
        else:
            _email(row, mail_connection).send()
    except Exception as exc:  # every failure is recorded on the row, then judged
        if _record_failure(row, exc, now):
            result.failed.append(row.pk)
        else:
            result.retry.append(row.pk)
        result.error = row.last_error
        return not isinstance(exc, SERVER_ERRORS)
    if not mark_first:
        _mark_sent(row, now)
    result.sent.append(row.pk)
    return True


def outbox_send(*, ids: list[int]) -> SendResult:
    """Send these outbox rows (those still queued and due; others are skipped, so a duplicated task sends
    nothing twice). One mail connection for the batch. When the mail server is down the batch stops at
    the first row that fails: that row and the untried ones come back in `retry`, and so do rows skipped
    because their next try is not due yet (so the task's retry, not only the sweep, picks them up)."""
    result = SendResult()
    gone = reasons_gone(ids)  # read once for the batch; applied to a row only once it is claimed
    mail_connection = get_connection()
    try:
        for i, pk in enumerate(ids):
            if not _send_one(pk, mail_connection, result, gone):
                result.retry.extend(ids[i + 1:])
                break
    finally:
        with contextlib.suppress(Exception):  # closing a dead connection must not hide what happened
            mail_connection.close()
    if result.skipped:
        result.retry.extend(Outbox.objects.filter(pk__in=result.skipped, status=Outbox.Status.QUEUED,
                                                  next_attempt_at__gt=timezone.now()).values_list("pk", flat=True))
    return result


def outbox_release_stale(*, now: datetime | None = None) -> int:
    """SQLite's claims left by a sender that stopped mid-send: the message may or may not have gone, so
    it is failed with that said, not sent again blindly."""
    now = now or timezone.now()
    return (Outbox.objects.filter(status=Outbox.Status.SENDING,
                                  claimed_at__lt=now - timedelta(minutes=STALE_CLAIM_MINUTES))
            .update(status=Outbox.Status.FAILED, claimed_at=None,
                    last_error="The sender stopped while sending this message: it may or may not have been "
                               "delivered. Check with the person before resending."))


PURGE_BATCH = 1000
FINISHED = (Outbox.Status.SENT, Outbox.Status.FAILED, Outbox.Status.SKIPPED)


def outbox_purge(*, now: datetime | None = None, days: int | None = None) -> int:
    """Retention: delete sent, failed and skipped rows created more than `days` (NUDGE_OUTBOX_RETENTION_DAYS)
    ago, in batches. Queued and sending rows are never deleted. Running it again deletes nothing more."""
    now = now or timezone.now()
    days = settings.NUDGE_OUTBOX_RETENTION_DAYS if days is None else days
    old = Outbox.objects.filter(status__in=FINISHED, created_at__lt=now - timedelta(days=days))
    deleted = 0
    while ids := list(old.order_by("id").values_list("id", flat=True)[:PURGE_BATCH]):
        deleted += Outbox.objects.filter(pk__in=ids, status__in=FINISHED).delete()[0]
    return deleted


@transaction.atomic
def outbox_resend(*, actor, row: Outbox) -> Outbox:
    """HR sends a failed message again: queued afresh, sent after this commits."""
    from adoption import tasks

    row = Outbox.objects.select_for_update().get(pk=row.pk)
    if row.status != Outbox.Status.FAILED:
        return row
    row.status = Outbox.Status.QUEUED
    row.attempts = 0
    row.next_attempt_at = None
    row.claimed_at = None
    row.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_at"])
    audit_record(actor=actor, action="nudge.resend", target=f"outbox {row.pk}",
                 detail={"rule": row.rule, "subject": row.subject, "previous_error": row.last_error})
    transaction.on_commit(lambda: tasks.outbox_send.delay([row.pk]))
    return row


# --- Preferences --------------------------------------------------------------------------------

@transaction.atomic
def nudge_opt_out(*, profile_id: int, rule: str) -> bool:
    """Turn one rule off for a person. True when it was on."""
    _, created = NudgeOptOut.objects.get_or_create(profile_id=profile_id, rule=rule)
    return created


@transaction.atomic
def nudge_preferences_update(*, profile: StaffProfile, rules_on: set[str], rules_shown=None) -> None:
    """Set which rules a person receives (the rest of those shown to them are turned off; a rule not
    shown, such as the digest to someone who manages no department, is left as it was)."""
    NudgeOptOut.objects.filter(profile=profile, rule__in=rules_on).delete()
    for rule in set(rules_shown or nudges.RULES) - rules_on:
        NudgeOptOut.objects.get_or_create(profile=profile, rule=rule)


@transaction.atomic
def nudge_settings_update(*, actor, config: NudgeSettings) -> NudgeSettings:
    config.full_clean()
    config.save()
    audit_record(actor=actor, action="nudge.settings", target="nudge settings",
                 detail={"rules": {r: config.rules().on(r) for r in nudges.RULES}})
    return config


# --- One-off reminders (team progress) ------------------------------------------------------------

@dataclass
class RemindResult:
    queued: int = 0
    no_email: int = 0
    held_back: int = 0  # turned off by the person, at the weekly cap, or already reminded today


@transaction.atomic
def nudge_remind_overdue(*, actor, enrolments: list, today: date | None = None) -> RemindResult:
    """A manager (for their own scope: the caller passes enrolments read through it) or HR asks for a
    reminder to overdue people now. It goes through the outbox like any other (one a person, module and
    day, whoever asks), respects the person's choices and the weekly cap, and says who asked."""
    from adoption import tasks

    today = today or timezone.localdate()
    rules = NudgeSettings.load().rules()
    result = RemindResult()
    profile_ids = {e.profile_id for e in enrolments}
    opted = set(NudgeOptOut.objects.filter(profile_id__in=profile_ids, rule=nudges.OVERDUE)
                .values_list("profile_id", flat=True))
    week = dict(Outbox.objects.filter(profile_id__in=profile_ids, planned_on__gte=nudges.week_start(today),
                                      planned_on__lte=today, rule__in=nudges.CAPPED_RULES)
                .values("profile_id").annotate(n=Count("id")).values_list("profile_id", "n"))
    asker = actor.get_full_name() or actor.username
    render = NudgeRenderer(council_name=CouncilSettings.load().name, today=today)
    rows = []
    for e in enrolments:
        user = e.profile.user
        if not (e.profile.has_work_email and user.email):
            result.no_email += 1
            continue
        mandatory = e.module.slug in rules.mandatory_modules
        if (e.profile_id in opted and not mandatory) or week.get(e.profile_id, 0) >= rules.weekly_cap:
            result.held_back += 1
            continue
        week[e.profile_id] = week.get(e.profile_id, 0) + 1
        message = nudges.Message(
            e.profile_id, nudges.OVERDUE, f"module:{e.module.slug}", f"asked-{today.isoformat()}",
            f"because {asker} asked for a reminder: '{e.module.title}' was due on "
            f"{nudges.long_date(e.due_date, today)} and is not finished yet", e.module.title, e.due_date, mandatory)
        rows.append(Outbox(profile_id=message.profile_id, rule=message.rule, subject=message.subject,
                           period=message.period, planned_on=today, why=message.why, mandatory=mandatory,
                           to=user.email, requested_by=actor, **render(message, user.first_name)))
    before = set(Outbox.objects.filter(period=f"asked-{today.isoformat()}", profile_id__in=profile_ids)
                 .values_list("pk", flat=True))
    Outbox.objects.bulk_create(rows, ignore_conflicts=True)
    new = sorted(set(Outbox.objects.filter(period=f"asked-{today.isoformat()}", profile_id__in=profile_ids)
                     .values_list("pk", flat=True)) - before)
    result.queued = len(new)
    result.held_back += len(rows) - len(new)
    audit_record(actor=actor, action="nudge.remind", target=f"{len(enrolments)} overdue",
                 detail={"queued": result.queued, "no_email": result.no_email, "held_back": result.held_back})
    transaction.on_commit(lambda: tasks._queue_send(new))
    return result
