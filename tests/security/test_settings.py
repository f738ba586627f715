"""Production mode refuses to start without real secrets, and turns on the secure settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ENV", "DJANGO_SETTINGS_MODULE"}}
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); "
            "from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.DEBUG)")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True)


def test_production_refuses_missing_secret_key():
    result = load_settings(DJANGO_ENV="production", ALLOWED_HOSTS="tandem.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key():
    result = load_settings(DJANGO_ENV="production", ALLOWED_HOSTS="tandem.example.org",
                           SECRET_KEY="insecure-development-key-do-not-use-in-production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_missing_allowed_hosts():
    result = load_settings(DJANGO_ENV="production", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_turns_on_secure_settings():
    result = load_settings(DJANGO_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="tandem.example.org",
                           DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "False"]


def test_malformed_boolean_is_an_error_not_a_default():
    result = load_settings(TANDEM_DEMO="maybe")
    assert result.returncode != 0
    assert "TANDEM_DEMO must be true or false" in result.stderr


def test_reports_storage_options_must_be_a_json_object():
    backend = "django.core.files.storage.InMemoryStorage"
    result = load_settings(REPORTS_STORAGE_BACKEND=backend, REPORTS_STORAGE_OPTIONS="{bucket: x}")
    assert result.returncode != 0 and "REPORTS_STORAGE_OPTIONS must be a JSON object" in result.stderr
    result = load_settings(REPORTS_STORAGE_BACKEND=backend, REPORTS_STORAGE_OPTIONS='["x"]')
    assert result.returncode != 0 and "REPORTS_STORAGE_OPTIONS must be a JSON object" in result.stderr
    result = load_settings(REPORTS_STORAGE_BACKEND=backend, REPORTS_STORAGE_OPTIONS='{"base_url": "/r/"}')
    assert result.returncode == 0, result.stderr


def test_report_files_are_kept_outside_media_root_by_default():
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); "
            "from django.conf import settings as s; from pathlib import Path; "
            "r = Path(s.STORAGES['reports']['OPTIONS']['location']); m = Path(s.MEDIA_ROOT); "
            "print(r != m and m not in r.parents)")
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.stdout.strip() == "True", result.stderr
