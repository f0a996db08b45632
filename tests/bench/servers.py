"""The servers the benchmarks measure, started on first use and all stopped by `Servers.close()`.

The real app is the LiveServer (the Procfile's web, worker and cron against the test services).
The baseline is the minimal app run by the Procfile's own web command, so the two differ only in
the application: same gunicorn.conf.py, worker class, workers, threads and environment.
"""

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

from honcho.environ import parse_procfile

from soulseer.config import PROJECT_ROOT
from tests.support.live_server import LOGS, LiveServer, free_port

REAL_APP = "wsgi:app"
MINIMAL_APP = "tests.bench.minimal_app:app"


def prepare_database():
    """Migrations from zero on the test database, then the content pages, as a new deployment has
    them; and the live Redis without an earlier run's keys (the ids start again from 1, and a
    limiter's counters of an earlier run's sender would refuse this run's gifts)."""
    from soulseer import create_app
    from soulseer.content_pages import CONTENT_PAGES
    from soulseer.extensions import db
    from soulseer.services.core import content
    from tests.conftest import _rebuild_schema, empty_live_redis

    empty_live_redis()

    app = create_app()
    _rebuild_schema(app)
    with app.app_context():
        content.seed_pages(CONTENT_PAGES)
        db.session.remove()
        db.engine.dispose()  # hold no connections while the servers run


def web_workers():
    """The web process's workers in a benchmark: as many as in production (gunicorn.conf.py's default),
    unless WEB_CONCURRENCY says otherwise; the browser tests' servers run one
    (tests/support/live_server.py)."""
    return os.environ.get("WEB_CONCURRENCY", "2")


def minimal_web_command():
    """The Procfile's web command with the minimal app in place of the real one."""
    web = parse_procfile((PROJECT_ROOT / "Procfile").read_text()).processes["web"]
    command, replaced = re.subn(rf"(?<!\S){re.escape(REAL_APP)}(?!\S)", MINIMAL_APP, web)
    if replaced != 1:
        raise RuntimeError(f"the Procfile's web command should name {REAL_APP} once: {web!r}")
    return command


class MinimalServer:
    """The baseline page under the web process's gunicorn settings, on its own free port."""

    def __init__(self, env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "PORT": str(self.port)}
        self._child = None
        self._log = None

    def start(self, timeout=30):
        LOGS.mkdir(parents=True, exist_ok=True)
        self._log = open(LOGS / f"minimal-{self.port}.log", "w")  # noqa: SIM115 (closed in stop)
        # Through a shell, as LiveServer runs the Procfile's lines.
        self._child = subprocess.Popen(  # noqa: S602
            minimal_web_command(),
            shell=True,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends gunicorn and its workers
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._child.poll() is not None:
                raise RuntimeError(f"the minimal server exited with {self._child.returncode}; see {LOGS}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the minimal server did not answer within {timeout}s; see {LOGS}")

    def stop(self):
        if self._child is not None:
            if self._child.poll() is None:
                os.killpg(self._child.pid, signal.SIGTERM)
            try:
                self._child.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self._child.pid, signal.SIGKILL)
                self._child.wait()
            self._child = None
        if self._log is not None:
            self._log.close()
            self._log = None


class Servers:
    """What the benchmarks share: each server is started the first time a benchmark asks for it."""

    def __init__(self, live_env):
        self._live_env = live_env
        self._live = None
        self._minimal = None

    def live(self):
        """The real app: web, worker and cron from the Procfile, healthy."""
        if self._live is None:
            server = LiveServer(env=self._live_env)
            self._live = server  # registered before starting, so close() stops a half-started one
            server.start()
        return self._live

    def minimal(self):
        """The baseline app under the same server configuration as the real one."""
        if self._minimal is None:
            # The same environment the live web process gets, on the minimal server's own port.
            env = LiveServer(env=self._live_env).env
            self._minimal = MinimalServer(env)
            self._minimal.start()
        return self._minimal

    def close(self):
        """Stop everything this run started, whatever happened."""
        try:
            if self._minimal is not None:
                self._minimal.stop()
        finally:
            self._minimal = None
            if self._live is not None:
                self._live.stop()
                self._live = None

    def __enter__(self):
        prepare_database()  # every run starts from the migrations, whichever benchmarks it runs
        return self

    def __exit__(self, *exc_info):
        self.close()
