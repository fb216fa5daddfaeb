"""Settings for the test suite: the base settings, made fast and deterministic."""

import os

os.environ.setdefault("ZHIBAN_DEBUG", "true")

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
CELERY_TASK_ALWAYS_EAGER = True
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = DATA_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
# Each test run its own in-memory cache: parallel runs never share state.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so threads of a live server and concurrent tests share it.
    # One file per test run, so two runs at once never share a database.
    DATABASES["default"]["TEST"] = {
        "NAME": str(DATA_DIR / f"test-zhiban-{os.getpid()}.sqlite3")
    }
