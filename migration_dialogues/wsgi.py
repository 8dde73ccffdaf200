"""WSGI entry point: `gunicorn migration_dialogues.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "migration_dialogues.settings")

application = get_wsgi_application()
