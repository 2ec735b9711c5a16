"""The production settings plus two anchors for the load benchmark (bench/urls.py).

Only bench/load.py serves with these (DJANGO_SETTINGS_MODULE=bench.settings); production
serves symposium.settings, whose URLconf has no anchor.
"""

from symposium.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
