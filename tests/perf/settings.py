"""Production settings plus the bench's own URLconf (which adds a bare view as the floor)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.perf.urls"
