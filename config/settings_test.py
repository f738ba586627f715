"""Test settings: the real settings, with a fast password hasher and mail kept in memory."""

import tempfile

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MFA_ENFORCED = True
DEMO_MODE = False

if not REDIS_CACHE_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if not REDIS_URL:  # noqa: F405
    # Tasks queued by tests must never reach the queue of a `make run` on the same checkout.
    import tempfile as _tempfile

    _broker = _tempfile.mkdtemp(prefix="tandem-test-broker-")
    CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
        "data_folder_in": f"{_broker}/queue",
        "data_folder_out": f"{_broker}/queue",
        "processed_folder": f"{_broker}/processed",
        "control_folder": f"{_broker}/control",
        "store_processed": False,
    }

# Compiled reports go to a folder of this run's own, never the checkout's var/reports.
STORAGES = {**STORAGES, "reports": {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="tandem-test-reports-"), "allow_overwrite": True}}}
