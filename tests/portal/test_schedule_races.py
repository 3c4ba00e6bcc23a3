"""Two `sync_schedules` at the same moment, on PostgreSQL: one schedule per job, always."""

import pytest
from django.db.models import Count
from django_q.models import Schedule

from portal.jobs import registered_jobs, sync_schedules
from tests.races import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 8


def test_two_syncs_at_once_leave_exactly_one_schedule_per_job_round_after_round():
    names = {job.schedule_name for job in registered_jobs().values()}
    for _ in range(ROUNDS):
        Schedule.objects.all().delete()

        outcomes = in_parallel(sync_schedules, sync_schedules)

        assert not [o for o in outcomes if isinstance(o, Exception)]
        per_name = dict(Schedule.objects.values_list("name").annotate(n=Count("id")))
        assert per_name == dict.fromkeys(names, 1)
        # One run created them all; the other found them in place.
        assert sorted(len(report.created) for report in outcomes) == [0, len(names)]
