"""The surveys step of `manage.py seed_demo`: two waves of the AI readiness pulse and two of the
sentiment survey for the demo council, with realistic, uneven answers (SHIFTS, per service and pulse wave):
- Place's frontline services (Environment and Waste, Housing Repairs) have Desire as their barrier in both
  pulses: they know why the council is using AI (Awareness above 3) but do not want it (Desire under 3);
- the People directorate has Desire as its barrier in the autumn pulse: Children's Services in both pulses;
  Adult Social Care fell between the pulses (winter pressures: Desire, Ability and Reinforcement down,
  and far fewer took part);
- the Customer Contact Centre rose between the pulses (it started piloting an AI drafting tool), and
  Resources agrees more and takes part more than the rest;
- frontline staff take part less (about 45% against 75% for office staff), and agree a little less;
- the second pulse is a little better than the first for most;
- the second sentiment wave is open now, so demo staff can answer it.
Agreement questions are tagged with the council's values (QUESTION_VALUES), so readiness by value has
figures.
Answers are written in bulk (demo seeding), then each past wave is closed through the real service, so
its release is decided exactly as in production.
"""

from datetime import timedelta

from django.utils import timezone

from organisation.models import CouncilValue
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


# Per pulse wave, per service (a department code and everything beneath it): shifts of agreement ("all",
# or one ADKAR element) and a multiplier of the chance of taking part ("take_part").
SHIFTS = {
    "Spring 2026": {
        "PLA-ENV": {"desire": -1.5}, "PLA-HOUS-REP": {"desire": -1.5},
        "PEO-CHILD": {"desire": -1.3}, "PEO-ASC": {"all": 0.15, "desire": -0.4},
        "COM-CC": {"all": -0.3, "take_part": 0.7}, "RES": {"all": 0.3, "take_part": 1.15},
    },
    "Autumn 2026": {
        "PLA-ENV": {"desire": -1.5}, "PLA-HOUS-REP": {"desire": -1.5},
        "PEO-CHILD": {"desire": -1.3},
        "PEO-ASC": {"all": -0.1, "desire": -1.5, "knowledge": -0.3, "ability": -0.8, "reinforcement": -0.8,
                    "take_part": 0.4},
        "COM-CC": {"all": 0.4, "take_part": 1.25}, "RES": {"all": 0.3, "take_part": 1.15},
    },
}
# Agreement questions tagged with the council's values (organisation.demo.VALUES), by question text.
QUESTION_VALUES = {
    "I understand why the council is starting to use AI.": "Open and honest",
    "I know what the council plans to use AI for in my area of work.": "Open and honest",
    "I want to help shape how AI is used in my team.": "One team",
    "I know what information I must not put into an AI tool.": "Residents first",
    "I know how to check an answer from an AI tool before I use it.": "Residents first",
    "My manager encourages our team to use AI where it helps.": "One team",
    "Good use of AI is recognised in my team.": "One team",
    "I trust the council to use AI fairly.": "Fair to everyone",
    "I trust that people, not AI, will make the final decisions that affect residents.": "Residents first",
    "I would feel comfortable raising a concern about how AI is used at work.": "Open and honest",
}


def _shift(wave_name: str, code: str) -> dict:
    """The shifts for a person in the department with this code (the most specific service that has one)."""
    rules = SHIFTS.get(wave_name, {})
    matches = [c for c in rules if code == c or code.startswith(c + "-")]
    return rules[max(matches, key=len)] if matches else {}


def _tag_values(*surveys) -> None:
    values = {v.name: v for v in CouncilValue.objects.all()}
    for q in Question.objects.filter(survey__in=surveys, text__in=QUESTION_VALUES):
        q.values.add(values[QUESTION_VALUES[q.text]])


def _clamp(v):
    return max(1, min(5, round(v)))


def _person_bias(profile, rng):
    base = 3.6 + rng.gauss(0, 0.6)
    if profile.work_pattern == "frontline":
        base -= 0.3
    return base


def _answers_for(questions, profile, rng, *, improvement, shift):
    """Answers for one person: agree5 around their bias, shifted for their service (SHIFTS)."""
    bias = _person_bias(profile, rng) + improvement + shift.get("all", 0)
    out = []
    for q in questions:
        if q.type == Question.Type.AGREE5:
            v = bias + rng.gauss(0, 0.7) + shift.get(q.dimension, 0)
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


def _run_wave(survey, name, opens, closes, rng, *, improvement, exclude_users=(), close=True):
    wave = Wave.objects.create(survey=survey, name=name, opens_at=opens, closes_at=closes)
    services.wave_open(wave_id=wave.pk, now=opens + timedelta(seconds=1))
    wave.refresh_from_db()
    parts = list(Participation.objects.filter(wave=wave).select_related("profile__department"))
    questions = list(survey.questions.all())  # once, not once a person
    responses, answers, responded = [], [], []
    for part in parts:
        p = part.profile
        if p.user_id in exclude_users:
            continue
        shift = _shift(name, p.department.code)
        chance = (0.45 if p.work_pattern == "frontline" else 0.75) * shift.get("take_part", 1)
        if rng.random() >= min(0.95, chance):
            continue
        r = Response(wave=wave, department_id=p.department_id, work_pattern=p.work_pattern, contract=p.contract,
                     has_work_email=p.has_work_email, grade_band=p.grade_band,
                     profile=p if wave.mode == "named" else None, anonymous=wave.mode != "named")
        responses.append(r)
        answers += [Answer(response=r, question=q, number=a.get("number"), choices=a.get("choices", []),
                           text=a.get("text", "")) for q, a in _answers_for(questions, p, rng, improvement=improvement,
                                                                               shift=shift)]
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
    demo_users = {u.pk for u in ctx.get("demo_users", {}).values()}
    pulse = services.survey_create_from_template(actor=None, key="ai-readiness-pulse")
    sentiment = services.survey_create_from_template(actor=None, key="ai-sentiment")
    _tag_values(pulse, sentiment)
    _run_wave(pulse, "Spring 2026", now - timedelta(days=120), now - timedelta(days=106), rng,
              improvement=0.0)
    _run_wave(pulse, "Autumn 2026", now - timedelta(days=40), now - timedelta(days=26), rng,
              improvement=0.25)
    _run_wave(sentiment, "Summer 2026", now - timedelta(days=80), now - timedelta(days=66), rng,
              improvement=0.1)
    _run_wave(sentiment, "Winter 2026", now - timedelta(days=3), now + timedelta(days=11), rng,
              improvement=0.2, exclude_users=demo_users, close=False)
    ctx["surveys"] = {"pulse": pulse, "sentiment": sentiment}
