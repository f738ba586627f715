"""Tandem settings: one module, driven by environment variables (see README, "Configuration").

With nothing set, Tandem runs embedded: a SQLite file and a Celery broker on the file system under
var/, so `make run` needs no other server. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
DJANGO_ENV=production turns on the secure settings and refuses to start without real secrets.
"""

import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str
from config.identity import identity_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TANDEM_VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'")
PRODUCTION = DJANGO_ENV == "production"

# Demo mode (make run): a banner on every page and MFA not enforced, so every role can be explored.
DEMO_MODE = env_bool("TANDEM_DEMO", False) and not PRODUCTION

_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _INSECURE_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _INSECURE_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters in production")

DEBUG = env_bool("DJANGO_DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "django_celery_beat",
    "csp",
    "organisation",
    "courses",
    "surveys",
    "adoption",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.PerPathCSPMiddleware",  # ours everywhere, the Django admin its own (config/csp.py)
    "allauth.account.middleware.AccountMiddleware",
    "organisation.middleware.RequireMFAMiddleware",
    "config.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "organisation.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "organisation.context_processors.tandem",
                "config.navigation.menu",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers run beside a writer, IMMEDIATE
    # transactions and a busy timeout make writers queue instead of failing with "locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (also where long tasks publish their progress: it must be shared by all processes) ---
REDIS_URL = env_str("REDIS_URL", "")
# The cache may have its own Redis database (REDIS_CACHE_URL), so clearing it never touches the queue.
REDIS_CACHE_URL = env_str("REDIS_CACHE_URL", REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
# Work records its own state in our models; results are not needed.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged after it runs, so a killed worker's task reruns
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long tasks do not sit reserved behind each other
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Fixed schedules (beat copies them into its database table; more can be added in the admin).
CELERY_BEAT_SCHEDULE = {
    "surveys-open-and-close-waves": {"task": "surveys.tasks.waves_tick", "schedule": 60.0},
    # The ballot box: anonymous responses are stored in batches (also queued after a submit fills one).
    "surveys-store-held-responses": {"task": "surveys.tasks.held_responses_sweep", "schedule": 300.0},
    "courses-purge-submission-tokens": {"task": "courses.tasks.submission_tokens_purge",
                                        "schedule": crontab(hour=3, minute=15)},
    # Readiness per department, once a day (a second run the same day changes nothing).
    "adoption-readiness-snapshots": {"task": "adoption.tasks.readiness_snapshots",
                                     "schedule": crontab(hour=2, minute=30)},
    # Nudges: every hour, planning once a day at the hour set on the nudge settings page (working days);
    # the sweep sends what is ready and was not sent (a lost task, a retry whose time has come).
    "adoption-nudges": {"task": "adoption.tasks.nudges_run", "schedule": crontab(minute=5)},
    "adoption-outbox-sweep": {"task": "adoption.tasks.outbox_sweep", "schedule": 300.0},
    # Outbox retention: sent, failed and skipped reminders older than NUDGE_OUTBOX_RETENTION_DAYS go.
    "adoption-outbox-purge": {"task": "adoption.tasks.outbox_purge", "schedule": crontab(hour=3, minute=45)},
    # Reports: scheduled ones are created at 06:00 on their working day; every few minutes, reports whose
    # worker stopped are failed with the reason (and lost queued ones queued again); daily, files past
    # REPORT_RETENTION_DAYS are deleted.
    "adoption-report-schedules": {"task": "adoption.tasks.report_schedules_run", "schedule": crontab(hour=6, minute=0)},
    "adoption-reports-sweep": {"task": "adoption.tasks.reports_sweep", "schedule": 300.0},
    "adoption-reports-purge": {"task": "adoption.tasks.reports_purge", "schedule": crontab(hour=3, minute=50)},
}
CELERY_TIMEZONE = "Europe/London"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Accounts (django-allauth) ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "organisation.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "organisation.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "organisation.forms.SignInForm"}
# Staff sign in with their work email, or (staff without one) their staff number, which is the username.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# A reset asked for an address with no account sends nothing (allauth would send an "unknown account"
# email inviting sign-up, and there is no sign-up).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {
    # Per IP: the 11th failed sign-in within a minute is refused; per account: locked after 5 failures.
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
# Behind a reverse proxy (README): which address is the client's, for allauth's rate limits and ours
# (organisation.ratelimit.client_address). TRUSTED_PROXY_COUNT is how many proxies of our own add to
# X-Forwarded-For (entries before theirs come from the client and are ignored); TRUSTED_CLIENT_IP_HEADER
# names a header our proxy sets instead (e.g. X-Real-IP). Neither set: X-Forwarded-For is ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER", "").strip() or None
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
if ALLAUTH_TRUSTED_PROXY_COUNT and ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
    raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or TRUSTED_CLIENT_IP_HEADER, not both")
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("TANDEM_COUNCIL_NAME", "Tandem")
MFA_ENFORCED = not DEMO_MODE
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# A provider's sign-in finds an account only by an email it vouches for (or an identity already linked
# that way), so it is not also sent round the "confirm your email" loop an unused invitation leaves.
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"

# Optional sign-in with the council's identity provider: Microsoft Entra ID through its OpenID Connect
# endpoint, or any OpenID Connect provider. Off unless configured; the rules (own tenant only, which
# emails are trusted) are in config/identity.py. Sign-up stays closed (organisation.adapters).
INSTALLED_APPS.append("allauth.socialaccount.providers.openid_connect")
IDENTITY = identity_settings(os.environ, production=PRODUCTION)
SOCIALACCOUNT_PROVIDERS = IDENTITY.providers

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sessions -----------------------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"  # server-side: sign-out really ends it
SESSION_COOKIE_AGE = 8 * 60 * 60  # idle limit for email accounts
STAFF_NUMBER_SESSION_IDLE = 30 * 60  # shared devices: staff-number accounts time out sooner
SESSION_SAVE_EVERY_REQUEST = True  # the limits above count from the last request (idle time)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits a whole domain (usually the council's, not Tandem's) to HTTPS in every
        # browser: the council's web team decides that, so it is opt-in and the warning is expected.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [SELF, NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *IDENTITY.form_action],  # the sign-in redirect to the provider
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

ADMIN_PATH = env_str("TANDEM_ADMIN_PATH", "django-admin/").strip("/") + "/"
# Under ADMIN_PATH only, these directives replace ours: the admin (and django-celery-beat's periodic task
# form) use inline scripts and <style> elements. The rest of the policy is unchanged there.
ADMIN_CONTENT_SECURITY_POLICY_REPLACE = {
    "script-src": [SELF, "'unsafe-inline'"],
    "style-src": [SELF, "'unsafe-inline'"],
}

CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))  # where collectstatic writes
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Compiled reports are kept out of MEDIA_ROOT (which a web server may serve): they are only ever sent by
# the download view, which checks who asks and audits it. Any Django storage backend can hold them
# (REPORTS_STORAGE_BACKEND with its own settings, e.g. django-storages' S3 backend and AWS_* variables).
REPORTS_ROOT = Path(env_str("REPORTS_ROOT", str(VAR_DIR / "reports")))
REPORT_RETENTION_DAYS = env_int("REPORT_RETENTION_DAYS", 30)
REPORTS_STORAGE_BACKEND = env_str("REPORTS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
if REPORTS_STORAGE_BACKEND.endswith(".FileSystemStorage"):
    REPORTS_STORAGE_OPTIONS = {"location": str(REPORTS_ROOT), "allow_overwrite": True}
else:  # another backend's options as JSON, e.g. {"bucket_name": "tandem-reports", "region_name": "eu-west-2"}
    try:
        REPORTS_STORAGE_OPTIONS = json.loads(env_str("REPORTS_STORAGE_OPTIONS", "{}"))
    except ValueError as e:
        raise ImproperlyConfigured(f"REPORTS_STORAGE_OPTIONS must be a JSON object: {e}") from None
    if not isinstance(REPORTS_STORAGE_OPTIONS, dict):
        raise ImproperlyConfigured("REPORTS_STORAGE_OPTIONS must be a JSON object, e.g. {\"bucket_name\": \"x\"}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "reports": {"BACKEND": REPORTS_STORAGE_BACKEND, "OPTIONS": REPORTS_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Email --------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# Optional GOV.UK Notify (EMAIL_BACKEND=adoption.notify_backend.NotifyEmailBackend): off unless set.
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_TEMPLATE_ID = env_str("NOTIFY_TEMPLATE_ID", "")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tandem@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Nudges: a message that cannot be sent is tried this many times, waiting NUDGE_RETRY_BASE_SECONDS,
# then twice that, and so on (at most an hour), before it is failed for HR to see and resend.
NUDGE_SEND_MAX_ATTEMPTS = env_int("NUDGE_SEND_MAX_ATTEMPTS", 5)
NUDGE_RETRY_BASE_SECONDS = env_int("NUDGE_RETRY_BASE_SECONDS", 60)
# Outbox retention: sent, failed and skipped reminders planned more than this many days ago are deleted
# daily (queued ones are never deleted). See docs/data-protection.md.
NUDGE_OUTBOX_RETENTION_DAYS = env_int("NUDGE_OUTBOX_RETENTION_DAYS", 180)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Tandem -------------------------------------------------------------------------------------
# Files up to this size are accepted by the staff import; larger ones get a clear error.
STAFF_IMPORT_MAX_BYTES = env_int("STAFF_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# A complete-file import that would deactivate more than this share (%) of active staff is applied
# only when HR types the number of leavers.
STAFF_IMPORT_LEAVERS_CONFIRM_PERCENT = env_int("STAFF_IMPORT_LEAVERS_CONFIRM_PERCENT", 10)
# Imports with more rows than this are validated and applied by a Celery worker, with a progress bar.
STAFF_IMPORT_SYNC_MAX_ROWS = env_int("STAFF_IMPORT_SYNC_MAX_ROWS", 2000)
# Assigning a module to more people than this enrols them on the Celery worker, in batches.
ASSIGNMENT_SYNC_MAX_STAFF = env_int("ASSIGNMENT_SYNC_MAX_STAFF", 2000)
SIGN_IN_SLIP_DAYS = 14
# The address people use to reach Tandem: every absolute link (invitation emails, sign-in slips,
# certificate checks) is built from it, never from the request's host. Left unset, it follows the port
# `make run` serves on (TANDEM_PORT, which the Procfile's gunicorn binds too); in production it is
# https:// and the first of ALLOWED_HOSTS, which must then be a plain host name.
TANDEM_PORT = env_int("TANDEM_PORT", 8000)
BASE_URL = env_str("TANDEM_BASE_URL", "").rstrip("/")
if not BASE_URL and PRODUCTION:
    if ALLOWED_HOSTS[0].startswith((".", "*")):
        raise ImproperlyConfigured("TANDEM_BASE_URL must be set in production (e.g. https://tandem.council.example): "
                                   "the first of ALLOWED_HOSTS is a pattern, not the site's address")
    BASE_URL = f"https://{ALLOWED_HOSTS[0]}"
elif not BASE_URL:
    BASE_URL = f"http://127.0.0.1:{TANDEM_PORT}"
# Each app's contribution to `manage.py seed_demo`, in order.
DEMO_STEPS = [
    "organisation.demo.seed",
    "courses.demo.seed",
    "surveys.demo.seed",
    "adoption.demo.seed",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
