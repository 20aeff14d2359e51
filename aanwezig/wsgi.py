"""WSGI entry point (gunicorn aanwezig.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aanwezig.settings")
application = get_wsgi_application()
