"""The Procfile's three processes run together: /healthz reports every part healthy."""

import json
import urllib.request


def test_health_of_the_running_system(live_server):
    with urllib.request.urlopen(live_server.url + "/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200
        body = json.load(response)
    assert body["failing"] == []
    assert body["checks"]["worker"]["workers"] >= 1
    assert body["checks"]["cron"]["last_heartbeat_seconds_ago"] < 45
