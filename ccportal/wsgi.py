"""WSGI entry point (gunicorn ccportal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccportal.settings")
application = get_wsgi_application()
