"""The surveys step of `manage.py seed_demo`: two waves of the AI readiness pulse and two of the
sentiment survey for the demo council, with realistic, uneven answers:
- the People directorate has Desire as its barrier (its desire items average under 3);
- frontline staff take part less (about 45% against 75% for office staff), and agree a little less;
- the second pulse is a little better than the first;
- the second sentiment wave is open now, so demo staff can answer it.
Answers are written in bulk (demo seeding), then each past wave is closed through the real service, so
its release is decided exactly as in production.
"""

from datetime import timedelta

from django.utils import timezone

from organisation.models import Department
from organisation.selectors import subtree_ids
from surveys import services
from surveys.models import Answer, Participation, Question, Response, Wave

COMMENTS_HOPES = [
    "I hope it takes some of the copying and pasting off our hands so we can spend more time with residents.",
    "If it helps us answer council tax queries faster that would be great for everyone.",
    "Drafting letters is slow. A tool that gives a first draft I can check would save hours.",
    "I would like proper training time, not just a video to watch at lunch.",
    "Could help us spot repairs that keep coming back on the same estates.",
    "Summarising long case notes before a meeting would really help.",
    "Hoping it means less time on forms and more time out on the rounds.",
    "Plain English versions of our letters would help a lot of residents.",
    "Translation for residents who do not speak English could be really useful.",
    "I want to learn it properly so I can help the rest of the team.",
]
COMMENTS_WORRIES = [
    "Worried about job security if the council sees this as a way to cut posts.",
    "Nobody has explained what happens to the data we put in.",
    "I worry it will get things wrong and we will get the blame.",
    "Training time is the problem. We are already stretched and there is no cover.",
    "Some of our residents are not online at all and I do not want them left behind.",
    "I don't trust it with anything about vulnerable adults.",
    "We have not got the laptops for this on the frontline, most of us use a shared tablet.",
    "Worried it will be another system that adds work rather than saving it.",
    "Concerned about fairness. Will it treat everyone the same?",
    "Job security. People are talking about it in the depot.",
]


def _clamp(v):
    return max(1, min(5, round(v)))


def _person_bias(profile, rng):
    base = 3.6 + rng.gauss(0, 0.6)
    if profile.work_pattern == "frontline":
        base -= 0.3
    return base


def _answers_for(survey, profile, rng, *, improvement, people_ids):
    """Answers for one person: agree5 around their bias, with the People directorate's desire low."""
    bias = _person_bias(profile, rng) + improvement
    out = []
    for q in survey.questions.all():
        if q.type == Question.Type.AGREE5:
            v = bias + rng.gauss(0, 0.7)
            if q.dimension == "desire" and profile.department_id in people_ids:
                v -= 1.4
            if q.dimension == "ability" and profile.work_pattern == "frontline":
                v -= 0.5
            out.append((q, {"number": _clamp(v)}))
        elif q.type == Question.Type.SCALE10:
            out.append((q, {"number": max(0, min(10, round(bias * 2 + rng.gauss(0, 1.5))))}))
        elif q.type == Question.Type.SINGLE:
            out.append((q, {"choices": [rng.choice(q.choices)["id"]]}))
        elif q.type == Question.Type.MULTIPLE:
            options = [c["id"] for c in q.choices if not c["text"].lower().startswith("none")]
            out.append((q, {"choices": sorted(rng.sample(options, rng.randint(1, min(3, len(options)))))}))
        elif q.type == Question.Type.TEXT and rng.random() < 0.25:
            pool = COMMENTS_WORRIES if "worr" in q.text.lower() or bias < 3.3 else COMMENTS_HOPES
            out.append((q, {"text": rng.choice(pool)}))
    return out


def _run_wave(survey, name, opens, closes, rng, *, improvement, people_ids, exclude_users=(), close=True):
    wave = Wave.objects.create(survey=survey, name=name, opens_at=opens, closes_at=closes)
    services.wave_open(wave_id=wave.pk, now=opens + timedelta(seconds=1))
    wave.refresh_from_db()
    parts = list(Participation.objects.filter(wave=wave).select_related("profile"))
    responses, answers, responded = [], [], []
    for part in parts:
        p = part.profile
        if p.user_id in exclude_users:
            continue
        chance = 0.45 if p.work_pattern == "frontline" else 0.75
        if rng.random() >= chance:
            continue
        r = Response(wave=wave, department_id=p.department_id, work_pattern=p.work_pattern, contract=p.contract,
                     has_work_email=p.has_work_email, grade_band=p.grade_band,
                     profile=p if wave.mode == "named" else None, anonymous=wave.mode != "named")
        responses.append(r)
        answers += [Answer(response=r, question=q, number=a.get("number"), choices=a.get("choices", []),
                           text=a.get("text", "")) for q, a in _answers_for(survey, p, rng, improvement=improvement,
                                                                               people_ids=people_ids)]
        responded.append(part.pk)
    rng.shuffle(responses)  # one shuffled batch in one transaction, as the ballot box stores them
    Response.objects.bulk_create(responses, batch_size=500)
    Answer.objects.bulk_create(answers, batch_size=1000)
    Participation.objects.filter(pk__in=responded).update(responded=True)
    if close:
        services.wave_close(wave_id=wave.pk, now=closes + timedelta(seconds=1))
    return wave


def seed(ctx: dict) -> None:
    rng = ctx["rng"]
    now = timezone.now()
    people = Department.objects.get(code="PEO")
    people_ids = set(subtree_ids(people))
    demo_users = {u.pk for u in ctx.get("demo_users", {}).values()}
    pulse = services.survey_create_from_template(actor=None, key="ai-readiness-pulse")
    sentiment = services.survey_create_from_template(actor=None, key="ai-sentiment")
    _run_wave(pulse, "Spring 2026", now - timedelta(days=120), now - timedelta(days=106), rng,
              improvement=0.0, people_ids=people_ids)
    _run_wave(pulse, "Autumn 2026", now - timedelta(days=40), now - timedelta(days=26), rng,
              improvement=0.25, people_ids=people_ids)
    _run_wave(sentiment, "Summer 2026", now - timedelta(days=80), now - timedelta(days=66), rng,
              improvement=0.1, people_ids=people_ids)
    _run_wave(sentiment, "Winter 2026", now - timedelta(days=3), now + timedelta(days=11), rng,
              improvement=0.2, people_ids=people_ids, exclude_users=demo_users, close=False)
    ctx["surveys"] = {"pulse": pulse, "sentiment": sentiment}
