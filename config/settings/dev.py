"""Settings for a developer's machine and the embedded demo: the base, with DEBUG on by default."""

import os

os.environ.setdefault("ZHIBAN_DEBUG", "true")

from config.settings.base import *  # noqa: F403
