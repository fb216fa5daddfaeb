"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from config.process import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_asgi_application()
freeze_startup_objects()
