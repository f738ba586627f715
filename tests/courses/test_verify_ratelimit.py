from django.urls import reverse


def test_certificate_checks_are_rate_limited(client, db):
    url = reverse("courses:certificate_verify", args=["ABCDEF123456"])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


def test_hr_without_authenticator_can_still_check_a_certificate(client, db):
    from tests.factories import build_org

    org = build_org(mfa=False)
    client.force_login(org.hr)
    assert client.get(reverse("courses:certificate_verify", args=["ABCDEF123456"])).status_code == 404
