"""Builders for test data: a small organisation with one persona per role."""

import itertools
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from organisation.models import Department, StaffProfile, User
from organisation.roles import AUTHOR_GROUP, HR_GROUP

_numbers = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_department(code, name=None, parent=None) -> Department:
    return Department.objects.create(code=code, name=name or code.title(), parent=parent)


def make_staff(department, *, first="Test", last=None, email=None, staff_number=None, work_pattern="office",
               contract="full-time", with_email=True, **profile) -> StaffProfile:
    n = next(_numbers)
    staff_number = staff_number or f"T{n:05d}"
    if email is None and with_email:
        email = f"{staff_number.lower()}@example.org"
    user = User.objects.create_user(username=staff_number, email=email or "", password=PASSWORD,
                                    first_name=first, last_name=last or f"Person{n}")
    if email:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return StaffProfile.objects.create(user=user, staff_number=staff_number, department=department,
                                       work_pattern=work_pattern, contract=contract, has_work_email=bool(email),
                                       **profile)


def give_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@dataclass
class Org:
    """council > (environment > waste, parks), (resources > finance). Managers: env_manager manages
    environment (so also waste and parks); res_manager manages resources."""

    council: Department
    environment: Department
    waste: Department
    parks: Department
    resources: Department
    finance: Department
    staff: User
    frontline: User
    env_manager: User
    res_manager: User
    hr: User
    author: User
    admin: User


def build_org(*, mfa=True) -> Org:
    council = make_department("NBC", "Council")
    environment = make_department("ENV", "Environment", council)
    waste = make_department("ENV-WASTE", "Waste Collection", environment)
    parks = make_department("ENV-PARKS", "Parks", environment)
    resources = make_department("RES", "Resources", council)
    finance = make_department("RES-FIN", "Finance", resources)
    staff = make_staff(finance, first="Sam").user
    frontline = make_staff(waste, first="Dave", with_email=False, work_pattern="frontline").user
    env_manager = make_staff(environment, first="Morgan").user
    environment.managers.add(env_manager)
    res_manager = make_staff(resources, first="Ruth").user
    resources.managers.add(res_manager)
    hr = make_staff(resources, first="Helen").user
    Group.objects.get_or_create(name=HR_GROUP)[0].user_set.add(hr)
    author = make_staff(resources, first="Alex").user
    Group.objects.get_or_create(name=AUTHOR_GROUP)[0].user_set.add(author)
    admin = make_staff(resources, first="Ada").user
    admin.is_superuser = admin.is_staff = True
    admin.save()
    if mfa:
        give_totp(hr)
        give_totp(admin)
    return Org(council, environment, waste, parks, resources, finance, staff, frontline, env_manager,
               res_manager, hr, author, admin)
