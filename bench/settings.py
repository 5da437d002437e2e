"""Settings for the benchmark: the project's own, run as in production (DEBUG off, no test settings), with
the bench's floor page mounted beside the project's URLs and plain HTTP for the test client."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("CC_HTTPS", "false")
os.environ.setdefault("DEBUG", "false")

from ccportal.settings import *  # noqa: E402,F403

# Measured as served in production even when the environment (e.g. `make`, which exports DEBUG=true) says
# otherwise: no query log, no debug templates.
DEBUG = False
WHITENOISE_USE_FINDERS = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# No collectstatic for a benchmark: {% static %} resolves without a manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "ERROR"}},
}
