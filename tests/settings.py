"""The settings the test suite runs with: the portal's own, as a developer's `make run` has them.

DEBUG is off unless set, and a start without DEBUG needs a SECRET_KEY. The tests
say DEBUG=true here rather than lean on a default, so that the import-time
choices DEBUG makes (the static files storage without a collected manifest, no
HTTPS redirect, no secure-only cookies, the development key) are the ones a
developer runs with. pytest-django then switches DEBUG itself off at run time,
as Django's test runner does; manage.py subprocesses started by tests inherit
the variable.
"""

import os

os.environ["DEBUG"] = "true"

from portal.settings import *  # noqa: F403

# The work list's charts are counted afresh on every view: a test's numbers (and its
# query counts) must not depend on what an earlier test left in the cache. Their own
# test turns the cache on (tests/portal/test_week.py).
CONSOLE_CHARTS_CACHE_SECONDS = 0
