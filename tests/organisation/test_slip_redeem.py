"""Sign-in slips as an attacker would try them: guessing many codes for many staff numbers, two tabs
redeeming one code at the same moment, and the audit trail a redeemed slip leaves."""

import threading
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from organisation import services
from organisation.models import AuditEvent, SignInCode
from tests.conftest import requires_postgres
from tests.factories import PASSWORD, build_org, make_staff


def test_guessing_different_codes_for_different_staff_numbers_is_still_limited(client, org):
    # The limit is per client, not per code or per staff number: an attacker varies both.
    others = [make_staff(org.waste, with_email=False) for _ in range(3)]
    numbers = [org.frontline.username] + [p.staff_number for p in others]
    for i in range(10):
        data = {"staff_number": numbers[i % len(numbers)], "code": f"AAAA-AAA{'ABCDEFGHJK'[i]}"}
        assert client.post(reverse("sign_in_code"), data).status_code == 200
    response = client.post(reverse("sign_in_code"), {"staff_number": numbers[-1], "code": "ZZZZ-ZZZZ"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_limited_client_cannot_use_even_a_good_code(client, org):
    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    for i in range(10):
        client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": f"QQQQ-QQQ{'ABCDEFGHJK'[i]}"})
    response = client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": slip.code})
    assert response.status_code == 429
    assert "tandem_slip" not in client.session


def test_redeeming_a_slip_is_audited(client, org):
    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": slip.code})
    client.post(reverse("sign_in_code_password"), {"password1": "my-new-password-9", "password2": "my-new-password-9"})
    event = AuditEvent.objects.get(action="sign-in code used")
    assert (event.actor, event.target) == (org.frontline, profile.staff_number)


def _request():
    request = RequestFactory().post("/accounts/code/")
    request.session = SessionStore()
    return request


@pytest.mark.postgres
@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_code_used_while_waiting_for_the_lock_is_refused():
    """Two tabs redeem one code: the second passes the first check, then waits for the row lock the
    first holds. When the first commits, the second must see the code is used, set nothing and sign
    nobody in."""
    org = build_org()
    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    outcome = []

    def second_tab():
        try:
            services.sign_in_code_redeem(request=_request(), staff_number=profile.staff_number, code=slip.code,
                                         password="second-tab-password-7")
            outcome.append("signed in")
        except services.SlipError as e:
            outcome.append(str(e))
        finally:
            connection.close()

    with transaction.atomic():
        # The first tab: holds the row lock, as sign_in_code_redeem does, and uses the code.
        sic = SignInCode.objects.select_for_update().get(profile=profile)
        thread = threading.Thread(target=second_tab)
        thread.start()
        _wait_until_blocked_on_a_lock()
        assert outcome == []  # the second tab is waiting for us
        sic.used_at = sic.created_at
        sic.save(update_fields=["used_at"])
    thread.join(timeout=30)
    assert outcome == ["This code has already been used."]
    org.frontline.refresh_from_db()
    assert org.frontline.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="sign-in code used").exists()


def _wait_until_blocked_on_a_lock(timeout=10.0):
    """Wait until another connection to this database waits for a row lock (PostgreSQL's view)."""
    from django.db import connections

    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database() AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second tab never waited for the lock")


# --- What the code looks like and how it may be typed ---------------------------------------------

def test_a_slip_code_is_two_groups_of_four_unambiguous_characters(org):
    import re

    slips = []
    for _ in range(20):
        slips += services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[org.frontline.profile])
    for slip in slips:
        assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}", slip.code)


@pytest.mark.parametrize("typed", ["{code}", "{bare}", "{bare_lower}", "{spaced}", " {code} "])
def test_a_code_may_be_typed_without_its_hyphen_in_any_case_or_with_spaces(org, typed):
    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    bare = slip.code.replace("-", "")
    entry = typed.format(code=slip.code, bare=bare, bare_lower=bare.lower(), spaced=f"{bare[:4]} {bare[4:]}")
    assert services.sign_in_code_check(staff_number=profile.staff_number, code=entry).profile == profile


# --- Each refusal says exactly why -----------------------------------------------------------------

def _refusal(org, change):
    from django.utils import timezone

    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    change(profile, SignInCode.objects.filter(profile=profile).latest("pk"), timezone.now())
    with pytest.raises(services.SlipError) as refused:
        services.sign_in_code_check(staff_number=profile.staff_number, code=slip.code)
    return str(refused.value)


def _set(obj, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()


def test_refusals_say_exactly_why(org):
    from datetime import timedelta

    assert _refusal(org, lambda p, sic, now: _set(sic, used_at=now)) == (
        "This code has already been used. Sign in with your staff number and password, "
        "or ask your manager for a new slip.")
    assert _refusal(org, lambda p, sic, now: _set(sic, revoked=True)) == (
        "This code has been replaced by a newer slip. Use the newest slip your manager gave you.")
    assert _refusal(org, lambda p, sic, now: _set(sic, expires_at=now - timedelta(seconds=1))) == (
        "This code has expired (codes last 14 days). Ask your manager for a new slip.")
    assert _refusal(org, lambda p, sic, now: _set(p, active=False)) == "This account is not active. Ask your manager."
    assert _refusal(org, lambda p, sic, now: (_set(p, active=True), _set(p.user, is_active=False))) == (
        "This account is not active. Ask your manager.")
    with pytest.raises(services.SlipError) as refused:
        services.sign_in_code_check(staff_number=org.frontline.username, code="AAAA-AAAA")
    assert str(refused.value) == "That staff number and code do not match. Check both and try again."


def test_a_leaver_whose_account_is_still_active_cannot_use_a_slip(client, org):
    # The import marks a leaver's profile inactive: a slip printed before must not let them in.
    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    _set(profile, active=False)
    response = client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": slip.code})
    assert b"This account is not active" in response.content
    assert "tandem_slip" not in client.session
