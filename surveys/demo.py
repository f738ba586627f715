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

import random
from datetime import timedelta

from django.utils import timezone

from organisation.models import CouncilValue
from surveys import services
from surveys.models import Answer, Participation, Question, Response, Wave

# Comments are written from templates with varied slots, so a page of them reads like different people
# (no two the same in a wave). Each pool has ten entries; the main random source picks one (as it picked
# a fixed comment before, so the rest of the demo draws the same numbers) and a source of its own fills the
# slots. Slots: {task} a chore, {place} where the writer works, {team} who they work with, {time} how long,
# {resident} who they serve.
SLOTS = {
    "task": ["drafting letters", "writing up case notes", "council tax queries", "minutes of meetings",
             "answering the same emails", "filling in the same forms twice", "repairs reports",
             "complaint responses", "summarising long reports", "booking visits", "chasing invoices",
             "copying and pasting between systems", "FOI requests", "rota changes", "writing referrals"],
    "place": ["the depot", "the contact centre", "our office", "the housing team", "the libraries",
              "the care teams", "the planning office", "waste collection", "the estates team", "reception",
              "the leisure centre", "the registrars", "Revenues"],
    "team": ["my team", "our team", "the crews on the rounds", "business support", "everyone here",
             "our section", "my colleagues", "the night staff", "the social workers", "the part-timers",
             "the new starters", "the duty team"],
    "time": ["an hour a day", "half a day a week", "a couple of hours a week", "ages", "most of Friday",
             "twenty minutes a case", "a good chunk of the morning", "far too long"],
    "resident": ["residents", "tenants", "families", "older residents", "callers", "people on our caseload",
                 "carers", "parents", "young people", "people with disabilities"],
}
# Said before or after a comment, as people do; the empty ones keep most comments plain. None carries a
# feeling of its own (no "Thanks for asking."), so a worry still reads as a worry.
OPENERS = ["", "", "", "", "", "Speaking for {team}, ", "From what I've seen, ", "In {place}, ",
           "Not sure how to put this, but ", "Thinking about {place}, ", "Put simply, ", "Personally, ",
           "As someone who has been here a while, ", "Like most of {team}, ", "On balance, ", "For my part, "]
CLOSERS = ["", "", "", "", "", " That's all.", " Just my view.", " We'll see.", " Others here feel the same.",
           " It's been on my mind.", " That's my two pence.", " Time will tell.", " Enough said.",
           " Said it before, will say it again.", " Make of that what you will.", " Anyway."]
# Each entry is one thing people say, in a few ways of saying it.
COMMENTS_HOPES = [
    ["I hope it takes {task} off our hands so we can spend more time with {resident}.",
     "If it did {task} for us we could get out and see {resident} more.",
     "More time with {resident} and less on {task}, that's what I'd want from it."],
    ["If it helps with {task} that would save {time}.",
     "{task} eats {time}. If it can help there, brilliant.",
     "Honestly it would save {time} if it could do the first pass of {task}."],
    ["A tool that gives a first draft for {task} that I can check would be really useful.",
     "A first draft I can check and fix would make {task} much quicker.",
     "Even a rough first draft for {task} would help, I'd check it anyway."],
    ["I would like proper training time for {team}, not just a video to watch at lunch.",
     "Give {team} proper time to learn it, not a video at lunch.",
     "Training needs to be in work time for {team}, otherwise it won't happen."],
    ["It could help us spot problems that keep coming back for {resident}.",
     "Spotting patterns in complaints from {resident} would be a big help.",
     "If it picked up repeat problems for {resident} early, that would be worth having."],
    ["We spend {time} on {task}. Anything that speeds that up is welcome.",
     "{task} takes {time} every week. Happy for a machine to have it.",
     "Anything that cuts down {task} gets my vote."],
    ["Plain English versions of our letters would help a lot of {resident}.",
     "Our letters are full of jargon. Plainer versions would help {resident}.",
     "Rewriting our standard letters in plain English would make a difference to {resident}."],
    ["Translation for {resident} who do not speak English could be really useful.",
     "We struggle to get interpreters. Quick translation for {resident} would help.",
     "Being able to translate a letter for {resident} there and then would be great."],
    ["I want to learn it properly so I can help {team}.",
     "Keen to learn more and show {team}.",
     "I'd like to be one of the people {team} can ask about it."],
    ["The session we had in {place} was good. More of that please.",
     "The drop-in session in {place} was the first time it made sense to me.",
     "Short sessions like the one in {place} work much better than e-learning."],
]
COMMENTS_WORRIES = [
    ["Worried about job security if the council sees this as a way to cut posts.",
     "Is this about saving money by not replacing people who leave? Feels like it.",
     "With the budget cuts, people in {place} assume it means fewer jobs."],
    ["Nobody has explained what happens to the data we put in about {resident}.",
     "Where does information about {resident} go when it is typed into these tools?",
     "I wouldn't put anything about {resident} into it until someone explains the data side."],
    ["I worry it will get things wrong and {team} will get the blame.",
     "If it makes a mistake, who carries the can? Probably {team}.",
     "It sounds sure of itself even when it's wrong. That worries me."],
    ["Training time is the problem for {team}. We are already stretched and there is no cover.",
     "When are {team} meant to learn this? There's no cover as it is.",
     "We are short-staffed in {place}. Nobody has time for another course."],
    ["Some {resident} are not online at all and I do not want them left behind.",
     "A lot of {resident} don't use email, let alone chatbots.",
     "Please don't make {resident} go through a computer to reach us."],
    ["I don't trust it with decisions about {resident}.",
     "Decisions about {resident} need a person who knows them, not a program.",
     "Fine for letters, but keep it away from decisions about {resident}."],
    ["We have not got the laptops for this in {place}, most of us use a shared tablet.",
     "Half of {team} don't even have a work login that works on a phone.",
     "The kit in {place} is years old. Sort that out first."],
    ["Worried it will be another system that adds to {task} rather than saving time.",
     "Every new system promises to save time and ends up adding to {task}.",
     "Another login, another system. I'll believe it saves time when I see it."],
    ["Concerned about fairness. Will it treat {resident} the same?",
     "Will it be biased against {resident}? It learned from somewhere.",
     "I'd want proof it treats {resident} fairly before we use it with them."],
    ["Job security. People are talking about it in {place}.",
     "There's a lot of talk in {place} about jobs going.",
     "Job security, that's the worry in {place}. Nobody has said anything."],
]


def _fill(template: str, rng) -> str:
    """A template with its slots filled, an opener and a closer (often none)."""
    parts = {name: rng.choice(options) for name, options in SLOTS.items()}
    text = template.format(**parts)
    # The opener draws its own team and place, so "In the depot, ... in the depot" does not happen.
    opener = rng.choice(OPENERS).format(team=rng.choice([t for t in SLOTS["team"] if t != parts["team"]]),
                                        place=rng.choice([p for p in SLOTS["place"] if p != parts["place"]]))
    first = text.split()[0]
    if opener and first != "I" and not first.startswith("I'") and not (len(first) > 1 and first.isupper()):
        text = text[0].lower() + text[1:]
    text = opener + text + rng.choice(CLOSERS)
    return text[0].upper() + text[1:]


def _comment(phrasings: list[str], rng, used: set) -> str:
    """One of the phrasings, filled, not yet used in this wave (some tries, then whatever comes)."""
    for _ in range(30):
        text = _fill(rng.choice(phrasings), rng)
        if text not in used:
            break
    used.add(text)
    return text


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


def _answers_for(questions, profile, rng, *, improvement, shift, words, used):
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
            out.append((q, {"text": _comment(rng.choice(pool), words, used)}))
    return out


def _run_wave(survey, name, opens, closes, rng, *, improvement, exclude_users=(), close=True):
    wave = Wave.objects.create(survey=survey, name=name, opens_at=opens, closes_at=closes)
    services.wave_open(wave_id=wave.pk, now=opens + timedelta(seconds=1))
    wave.refresh_from_db()
    parts = list(Participation.objects.filter(wave=wave).select_related("profile__department"))
    questions = list(survey.questions.all())  # once, not once a person
    words, used = random.Random(f"comments:{name}"), set()  # the comments' own random source (see SLOTS)
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
                                                                               shift=shift, words=words, used=used)]
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
