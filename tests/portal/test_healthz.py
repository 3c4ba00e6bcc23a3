from unittest import mock

from django.db import OperationalError


def test_healthy_portal_answers_200_with_the_queue_backlog(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["queue"] == {"status": "ok", "backlog": 0}


def test_unreachable_database_answers_503(client, db):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert b"connection refused" not in response.content  # details go to the log only
