"""GET /healthz: database, Redis, worker and cron, judged from real heartbeats in Redis."""

from datetime import timedelta

import pytest
from rq import Queue, SimpleWorker, Worker

from soulseer import clock
from soulseer.jobs.heartbeat import record_cron_heartbeat
from soulseer.services.core import health


@pytest.fixture
def live_worker(redis):
    """A real RQ worker registered in Redis with a fresh heartbeat, as `rq worker` leaves it."""
    worker = Worker(["default"], connection=redis)
    worker.register_birth()
    worker.heartbeat()
    yield worker
    worker.register_death()


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.reset()


def run_cron_heartbeat_job(redis):
    """Enqueue the cron's periodic job and let a real worker run it, as the cron would."""
    queue = Queue("default", connection=redis)
    job = queue.enqueue(record_cron_heartbeat)
    SimpleWorker([queue], connection=redis).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished"


def test_all_parts_healthy(client, redis, live_worker):
    run_cron_heartbeat_job(redis)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "redis": True,
        "worker": True,
        "cron": True,
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_no_worker_is_named(client, redis):
    run_cron_heartbeat_job(redis)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["worker"]


def test_cron_that_never_ran_is_named(client, live_worker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["cron"]


def test_stale_cron_heartbeat_is_named(client, live_worker):
    health.record_heartbeat(health.CRON, clock.now() - timedelta(minutes=5))
    body = client.get("/healthz").get_json()
    assert body["failing"] == ["cron"]
    assert body["checks"]["cron"]["last_heartbeat_seconds_ago"] >= 300


def test_redis_down_is_named(app, redis, live_worker):
    from soulseer.extensions import init_redis

    run_cron_heartbeat_job(redis)
    original = app.extensions["redis"]
    app.config["REDIS_URL"], saved_url = "redis://127.0.0.1:1/0", app.config["REDIS_URL"]
    init_redis(app)
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.config["REDIS_URL"] = saved_url
        app.extensions["redis"] = original
    assert response.status_code == 503
    assert set(response.get_json()["failing"]) == {"redis", "worker", "cron"}
