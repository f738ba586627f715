# staff_status: Django staff status (the admin site lets them in) but not a superuser, in no group, with
# an authenticator (staff status needs one).
ROLES = ["anon", "staff", "frontline", "manager", "other_manager", "hr", "author", "admin", "staff_status"]
SIGNED_IN = ROLES[1:]
MANAGERS_AND_HR = {"manager", "other_manager", "hr", "admin"}
HR = {"hr", "admin"}
AUTHORS = {"author", "admin"}


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status, anon=302):
    return {"anon": anon, **dict.fromkeys(SIGNED_IN, status)}


def only(allowed, status=200, others=403, anon=302):
    return {"anon": anon, **{r: (status if r in allowed else others) for r in SIGNED_IN}}


GET_ONLY = everyone(405)  # POST rules: a page that only shows something refuses POST before any sign-in check
