"""The organisation's step of `manage.py seed_demo`: the fictional Northmere Borough Council.

About 2,000 staff in 40 departments (41 with the new team) over four levels, deterministic (seeded
random), with a realistic mix: about a third frontline, a quarter without a work email (nearly all
frontline), a fifth part-time. Other apps add their own steps (settings.DEMO_STEPS); each receives the
same `ctx` dict, in which this step leaves `rng`, `departments` (code -> Department), `profiles` and `demo_users`.

`new_team_add` adds a team set up after the surveys closed (NEW_TEAM: four people in Digital Inclusion,
under Communities); adoption.demo calls it after the survey step, so the team is in no survey wave and
readiness has too little data to score it.
"""

import random
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from organisation.events import staff_changed
from organisation.models import CouncilSettings, CouncilValue, Department, StaffProfile, User
from organisation.roles import AUTHOR_GROUP, HR_GROUP

DEMO_PASSWORD = "northmere-demo"
DOMAIN = "northmere.example"

# Frontline shares below are relative; scaled so about a third of all staff are frontline.
FRONTLINE_SCALE = 0.62

# (code, name, parent code, frontline share, staff directly in it)
TREE = [
    ("NBC", "Northmere Borough Council", None, 0.0, 6),
    ("CEX", "Chief Executive's Office", "NBC", 0.0, 10),
    ("CEX-COMMS", "Communications", "CEX", 0.0, 14),
    ("CEX-POL", "Policy and Performance", "CEX", 0.0, 16),
    ("RES", "Resources", "NBC", 0.0, 8),
    ("RES-FIN", "Finance", "RES", 0.0, 40),
    ("RES-REV", "Revenues and Benefits", "RES", 0.05, 25),
    ("RES-REV-CT", "Council Tax", "RES-REV", 0.05, 55),
    ("RES-REV-HB", "Housing Benefit", "RES-REV", 0.05, 50),
    ("RES-HR", "Human Resources", "RES", 0.0, 30),
    ("RES-ICT", "Digital and ICT", "RES", 0.0, 45),
    ("RES-LEGAL", "Legal and Democratic Services", "RES", 0.0, 35),
    ("PEO", "People", "NBC", 0.3, 8),
    ("PEO-ASC", "Adult Social Care", "PEO", 0.4, 20),
    ("PEO-ASC-HOME", "Care at Home", "PEO-ASC", 0.95, 150),
    ("PEO-ASC-ASSESS", "Assessment and Care Management", "PEO-ASC", 0.2, 70),
    ("PEO-ASC-DAY", "Day Opportunities", "PEO-ASC", 0.85, 60),
    ("PEO-CHILD", "Children's Services", "PEO", 0.3, 20),
    ("PEO-CHILD-SW", "Children's Social Work", "PEO-CHILD", 0.25, 90),
    ("PEO-CHILD-EY", "Early Years", "PEO-CHILD", 0.6, 45),
    ("PEO-CHILD-SEND", "SEND Support", "PEO-CHILD", 0.2, 40),
    ("PLA", "Place", "NBC", 0.5, 8),
    ("PLA-ENV", "Environment and Waste", "PLA", 0.8, 15),
    ("PLA-ENV-WASTE", "Waste Collection", "PLA-ENV", 0.97, 170),
    ("PLA-ENV-STREET", "Street Cleansing", "PLA-ENV", 0.97, 90),
    ("PLA-ENV-PARKS", "Parks and Open Spaces", "PLA-ENV", 0.85, 70),
    ("PLA-PLAN", "Planning", "PLA", 0.05, 20),
    ("PLA-PLAN-DM", "Development Management", "PLA-PLAN", 0.05, 45),
    ("PLA-PLAN-BC", "Building Control", "PLA-PLAN", 0.4, 20),
    ("PLA-HOUS", "Housing", "PLA", 0.3, 20),
    ("PLA-HOUS-OPT", "Housing Options", "PLA-HOUS", 0.2, 45),
    ("PLA-HOUS-REP", "Housing Repairs", "PLA-HOUS", 0.9, 110),
    ("PLA-REG", "Regulatory Services", "PLA", 0.5, 35),
    ("COM", "Communities", "NBC", 0.5, 8),
    ("COM-LIB", "Libraries", "COM", 0.8, 75),
    ("COM-LEIS", "Leisure Centres", "COM", 0.9, 95),
    ("COM-CC", "Customer Contact Centre", "COM", 0.1, 75),
    ("COM-CC-REC", "Reception and Registrars", "COM-CC", 0.6, 25),
    ("COM-SAFE", "Community Safety", "COM", 0.5, 25),
    ("COM-CULT", "Culture and Events", "COM", 0.5, 25),
]

# A team set up three weeks ago, after the autumn pulse closed: (code, name, parent code, [(first, last,
# job title, work pattern)]).
NEW_TEAM = ("COM-DIGI", "Digital Inclusion", "COM", [
    ("Nadia", "Hussain", "Digital Inclusion Lead", "hybrid"), ("Tom", "Brennan", "Digital Inclusion Officer", "hybrid"),
    ("Grace", "Osei", "Digital Inclusion Officer", "office"), ("Piotr", "Nowak", "Digital Champion", "office"),
])
NEW_TEAM_STARTED = 21  # days ago

FIRST = ["Aisha", "Ben", "Chloe", "Daniel", "Eleanor", "Faisal", "Grace", "Harry", "Imani", "Jack", "Kate",
         "Liam", "Maya", "Nathan", "Olivia", "Priya", "Quentin", "Rosie", "Sam", "Tomasz", "Uma", "Victor",
         "Wendy", "Yusuf", "Zara", "Amir", "Bethan", "Callum", "Deepa", "Euan", "Fiona", "Gareth", "Hannah",
         "Ifeoma", "James", "Kirsty", "Leon", "Megan", "Niamh", "Owen", "Patrick", "Rhiannon", "Sophie",
         "Tariq", "Agnieszka", "Bogdan", "Carys", "Dominic", "Ellie", "Fatima"]
LAST = ["Ahmed", "Baker", "Campbell", "Davies", "Evans", "Fletcher", "Green", "Hughes", "Iqbal", "Jones",
        "Khan", "Lewis", "Morgan", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts", "Smith", "Taylor",
        "Usman", "Vaughan", "Walsh", "Williams", "Young", "Zielinski", "Begum", "Clarke", "Doyle", "Edwards",
        "Foster", "Gill", "Hall", "Jackson", "Kaur", "Lloyd", "Murphy", "Nicholson", "Owusu", "Price",
        "Rahman", "Shaw", "Thomas", "Turner", "Wood", "Wright", "Mensah", "Kowalski", "Singh", "Chen"]
OFFICE_JOBS = ["Officer", "Senior Officer", "Assistant", "Adviser", "Team Leader", "Analyst", "Coordinator"]
FRONTLINE_JOBS = {
    "WASTE": ["Refuse Collector", "HGV Driver", "Loader"], "STREET": ["Street Cleanser", "Sweeper Driver"],
    "PARKS": ["Gardener", "Park Ranger"], "HOME": ["Care Worker", "Senior Care Worker"],
    "DAY": ["Support Worker"], "REP": ["Plumber", "Electrician", "Multi-trade Operative"],
    "LIB": ["Library Assistant"], "LEIS": ["Lifeguard", "Leisure Assistant"], "EY": ["Nursery Practitioner"],
}
GRADES = ["Grades 1-3", "Grades 4-6", "Grades 7-9", "Grades 10-12", "Senior leadership"]

VALUES = [
    ("Residents first", "We start from what residents need, and we listen before we act."),
    ("Open and honest", "We explain what we do and why, including when we get it wrong."),
    ("Fair to everyone", "We treat people equally and take extra care with those who find us hard to reach."),
    ("One team", "We work across services and support each other to learn."),
]

# The demo sign-ins printed by `make run`: (username, role, what they show).
DEMO_ACCOUNTS = [
    ("staff@" + DOMAIN, "Staff (office)", "A Council Tax officer with a work email"),
    ("N90001", "Staff (frontline, no email)", "A refuse collector who signs in with a staff number"),
    ("manager@" + DOMAIN, "Manager", "Head of Environment and Waste (sees that service and its teams)"),
    ("manager2@" + DOMAIN, "Manager (another department)", "Head of Revenues and Benefits"),
    ("hr@" + DOMAIN, "HR / adoption lead", "Sees the whole organisation"),
    ("author@" + DOMAIN, "Content author", "Writes and publishes modules"),
    ("admin@" + DOMAIN, "Admin", "Configures the council (and the Django admin)"),
]


def _jobs_for(code: str, frontline: bool, rng: random.Random) -> str:
    if frontline:
        for key, jobs in FRONTLINE_JOBS.items():
            if key in code:
                return rng.choice(jobs)
        return rng.choice(["Support Worker", "Site Operative", "Customer Assistant"])
    return rng.choice(OFFICE_JOBS)


def seed(ctx: dict) -> None:
    rng = ctx.setdefault("rng", random.Random(2026))
    council = CouncilSettings.load()
    council.name, council.colour = "Northmere Borough Council", "#17577a"
    council.save()
    for i, (name, description) in enumerate(VALUES):
        CouncilValue.objects.update_or_create(name=name, defaults={"description": description, "order": i})

    departments = {}
    for code, name, parent, _, _ in TREE:
        departments[code] = Department.objects.create(code=code, name=name, parent=departments.get(parent))
    ctx["departments"] = departments

    password = make_password(DEMO_PASSWORD)  # hashed once: 2,000 hashes would take minutes
    users, profiles, _emails = [], [], []
    number = 10000
    for code, _, _, frontline_share, count in TREE:
        for _ in range(round(count * 1.1)):
            number += 1
            frontline = rng.random() < frontline_share * FRONTLINE_SCALE
            # Most frontline staff have no work email; a few office staff share a team mailbox.
            has_email = (rng.random() < 0.3) if frontline else (rng.random() < 0.97)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            staff_number = f"N{number}"
            email = f"{first}.{last}.{number}@{DOMAIN}".lower().replace("'", "") if has_email else ""
            users.append(User(username=staff_number, first_name=first, last_name=last, email=email, password=password))
            pattern = "frontline" if frontline else rng.choice(["office", "hybrid", "hybrid"])
            part_time = rng.random() < (0.3 if frontline else 0.12)
            profiles.append({
                "staff_number": staff_number, "department": departments[code], "job_title": _jobs_for(code, frontline, rng),
                "grade_band": rng.choices(GRADES, weights=[30, 35, 20, 10, 5])[0], "work_pattern": pattern,
                "contract": "part-time" if part_time else "full-time", "has_work_email": has_email,
                "start_date": date(2026, 4, 1) - timedelta(days=rng.randint(30, 9000)),
            })
    # The named demo accounts.
    specials = [
        ("staff@" + DOMAIN, "Sam", "Okafor", "RES-REV-CT", "office", "Council Tax Officer"),
        ("", "Dave", "Collins", "PLA-ENV-WASTE", "frontline", "Refuse Collector"),
        ("manager@" + DOMAIN, "Morgan", "Reid", "PLA-ENV", "hybrid", "Head of Environment and Waste"),
        ("manager2@" + DOMAIN, "Ruth", "Adeyemi", "RES-REV", "hybrid", "Head of Revenues and Benefits"),
        ("hr@" + DOMAIN, "Helen", "Rashid", "RES-HR", "hybrid", "AI Adoption Lead"),
        ("author@" + DOMAIN, "Alex", "Kerr", "RES-ICT", "hybrid", "Digital Learning Designer"),
        ("admin@" + DOMAIN, "Ada", "Mensah", "RES-ICT", "office", "Systems Administrator"),
    ]
    for i, (email, first, last, code, pattern, job) in enumerate(specials):
        staff_number = f"N9001{i}" if email else "N90001"
        users.append(User(username=staff_number, first_name=first, last_name=last, email=email, password=password,
                          is_superuser=email.startswith("admin@"), is_staff=email.startswith("admin@")))
        profiles.append({"staff_number": staff_number, "department": departments[code], "job_title": job,
                             "grade_band": "Grades 7-9", "work_pattern": pattern, "contract": "full-time",
                             "has_work_email": bool(email), "start_date": date(2019, 9, 2)})
    User.objects.bulk_create(users, batch_size=500)
    user_ids = dict(User.objects.values_list("username", "pk"))
    StaffProfile.objects.bulk_create(
        [StaffProfile(user_id=user_ids[p["staff_number"]], **p) for p in profiles], batch_size=500
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=user_ids[u.username], email=u.email, primary=True, verified=True) for u in users if u.email],
        batch_size=500,
    )
    by_email = {u.email: u for u in User.objects.exclude(email="")}
    Group.objects.get_or_create(name=HR_GROUP)[0].user_set.add(by_email["hr@" + DOMAIN])
    Group.objects.get_or_create(name=AUTHOR_GROUP)[0].user_set.add(by_email["author@" + DOMAIN])
    departments["PLA-ENV"].managers.add(by_email["manager@" + DOMAIN])
    departments["RES-REV"].managers.add(by_email["manager2@" + DOMAIN])

    # Every department's first member of staff manages it; line managers follow the tree.
    all_profiles = list(StaffProfile.objects.select_related("department", "user").order_by("pk"))
    heads = {}
    for p in all_profiles:
        heads.setdefault(p.department_id, p)
    for d in departments.values():
        head = heads.get(d.pk)
        if head and d.code not in {"PLA-ENV", "RES-REV"}:
            d.managers.add(head.user)
    for p in all_profiles:
        head = heads[p.department_id]
        if head.pk != p.pk:
            p.line_manager = head
        elif p.department.parent_id and p.department.parent_id in heads:
            p.line_manager = heads[p.department.parent_id]
    StaffProfile.objects.bulk_update(all_profiles, ["line_manager"], batch_size=500)

    ctx["profiles"] = all_profiles
    ctx["demo_users"] = {u: User.objects.get(username=u) if "@" not in u else by_email[u] for u, _, _ in DEMO_ACCOUNTS}


def new_team_add(ctx: dict) -> list[int]:
    """Add NEW_TEAM (department, people, its first person as manager) as the staff import would, and tell
    the apps above (organisation.events.staff_changed) so courses enrols the joiners. Returns their ids."""
    code, name, parent, people = NEW_TEAM
    team = Department.objects.create(code=code, name=name, parent=Department.objects.get(code=parent))
    ctx.setdefault("departments", {})[code] = team
    password = make_password(DEMO_PASSWORD)
    started = timezone.localdate() - timedelta(days=NEW_TEAM_STARTED)
    ids = []
    for i, (first, last, job, pattern) in enumerate(people):
        number = f"N9500{i}"
        email = f"{first}.{last}.{number[1:]}@{DOMAIN}".lower()
        user = User.objects.create(username=number, first_name=first, last_name=last, email=email, password=password)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        profile = StaffProfile.objects.create(user=user, staff_number=number, department=team, job_title=job,
                                              grade_band="Grades 4-6", work_pattern=pattern, contract="full-time",
                                              has_work_email=True, start_date=started)
        ids.append(profile.pk)
    staff_changed.send(sender=StaffProfile, joined=ids, moved=[], left=[])
    head = StaffProfile.objects.get(pk=ids[0])
    team.managers.add(head.user)
    StaffProfile.objects.filter(pk__in=ids[1:]).update(line_manager=head)
    return ids
