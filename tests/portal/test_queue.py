"""The django-q2 set-up of DESIGN.md §11, and the Redis broker path production may use."""

import os
import uuid

import pytest
import redis
from django.conf import settings
from django.utils.module_loading import import_string
from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf
from django_q.signing import SignedPackage
from django_q.tasks import async_task

from tests.portal.test_settings import run_manage

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")


def test_a_task_is_killed_before_it_would_be_handed_to_a_second_worker():
    assert settings.Q_CLUSTER["timeout"] < settings.Q_CLUSTER["retry"]


def test_a_failing_task_is_retried_a_bounded_number_of_times_and_missed_runs_are_not_replayed():
    assert 1 <= settings.Q_CLUSTER["max_attempts"] <= 5
    assert settings.Q_CLUSTER["catch_up"] is False


def test_without_redis_url_jobs_queue_in_the_default_database():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.Q_CLUSTER)",
        DEBUG="true",
        REDIS_URL="",
    )

    assert result.returncode == 0, result.stderr
    assert "'orm': 'default'" in result.stdout
    assert "'redis'" not in result.stdout


def test_redis_url_moves_the_queue_to_redis():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.Q_CLUSTER)",
        DEBUG="true",
        REDIS_URL="redis://redis.internal:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert "'redis': 'redis://redis.internal:6379/0'" in result.stdout
    assert "'orm'" not in result.stdout


@pytest.fixture
def redis_broker(monkeypatch):
    if not REDIS_TEST_URL:
        pytest.skip("needs Redis: set REDIS_TEST_URL=redis://127.0.0.1:6379/15 to run it")
    try:
        redis.from_url(REDIS_TEST_URL).ping()
    except redis.RedisError as exc:
        reason = f"Redis at {REDIS_TEST_URL} is unreachable: {exc}"
        if os.environ.get("REQUIRE_MARKED_TESTS") == "1":
            pytest.fail(f"required in CI but cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    # The broker reads its connection from django-q2's configuration, as with REDIS_URL set.
    monkeypatch.setattr(Conf, "REDIS", REDIS_TEST_URL)
    monkeypatch.setattr(Conf, "DJANGO_REDIS", None)
    broker = Redis(list_key=f"portal-test-{uuid.uuid4().hex}")
    yield broker
    broker.delete_queue()


def test_a_job_queued_through_redis_comes_back_intact_and_runs(redis_broker, db):
    task_id = async_task("returns.tasks.deliver_notifications", broker=redis_broker)

    assert redis_broker.queue_size() == 1
    [(_, payload)] = redis_broker.dequeue()
    task = SignedPackage.loads(payload)
    assert task["id"] == task_id
    assert task["func"] == "returns.tasks.deliver_notifications"
    assert redis_broker.queue_size() == 0
    result = import_string(task["func"])(*task["args"], **task["kwargs"])
    assert str(result) == "deliver_notifications: 0 done, 0 skipped, 0 failed"
