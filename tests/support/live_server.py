"""A live SoulSeer: the Procfile's web, worker and cron processes against the test services.

Used by the browser tests and the benchmarks, so both exercise the commands production runs.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from honcho.environ import parse_procfile

from soulseer.config import PROJECT_ROOT

LOGS = PROJECT_ROOT / "test-artifacts" / "logs"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Live servers started and not yet stopped. A worker's session server (tests/e2e/conftest.py) lives
# as long as the run, but its cron bills every due reading, booking and payout of the worker's
# database on the real clock: while the worker runs other tests (frozen clocks, days in the past)
# it would pause and end their readings under them. tests/conftest.py pauses these servers
# (SIGSTOP) for every test that is not a browser test and lets them go on (SIGCONT) for the next one.
RUNNING = []


class LiveServer:
    """Starts the Procfile processes (all, or those named) and waits until /healthz is green."""

    def __init__(self, env=None, processes=("web", "worker", "cron"), port=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes = processes
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PYTHONPATH": str(PROJECT_ROOT),
            "PYTHONUNBUFFERED": "1",
            "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
            "GUNICORN_ACCESS_LOG": "-",  # into the web log: what each page asked, when a story fails
            # One gevent worker serves a story's few pages and event streams; each worker process
            # imports the application (some 3 s of CPU), and the suite starts a dozen servers.
            # Events still go through Redis as between two workers (docs/testing.md).
            "WEB_CONCURRENCY": "1",
            **(env or {}),
        }
        self._children = []
        self.paused = False

    def start(self, wait_for_health=True, timeout=60):
        LOGS.mkdir(parents=True, exist_ok=True)
        commands = parse_procfile((PROJECT_ROOT / "Procfile").read_text()).processes
        for name in self.processes:
            log = open(LOGS / f"{name}-{self.port}.log", "w")  # noqa: SIM115 (closed in stop)
            # The Procfile's own lines, through a shell, as honcho and Heroku run them.
            child = subprocess.Popen(  # noqa: S602
                commands[name],
                shell=True,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self._children.append((name, child, log))
        RUNNING.append(self)
        self.wait_until_ready(wait_for_health, timeout)
        return self

    def _signal(self, number):
        for _, child, _ in self._children:
            if child.poll() is None:
                os.killpg(child.pid, number)

    @contextlib.contextmanager
    def holding(self, name):
        """The named process (the worker) frozen inside the block, the others running: a browser
        test can look at a state the worker would otherwise end at once (a payout in transit)."""
        held = [child for process, child, _ in self._children if process == name and child.poll() is None]
        for child in held:
            os.killpg(child.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for child in held:
                if child.poll() is None:
                    os.killpg(child.pid, signal.SIGCONT)

    def pause(self):
        """Freeze every process of the server (web, worker, cron) where it stands."""
        if not self.paused:
            self._signal(signal.SIGSTOP)
            self.paused = True

    def resume(self):
        if self.paused:
            self._signal(signal.SIGCONT)
            self.paused = False

    def wait_until_ready(self, wait_for_health, timeout):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            for name, child, _ in self._children:
                if child.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{name} exited with {child.returncode}; see {LOGS}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200 or not wait_for_health:
                        return
            except urllib.error.HTTPError as error:
                last = error.read().decode()
                if not wait_for_health:
                    return
            except OSError as error:
                last = str(error)
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the live server was not healthy within {timeout}s: {last}")

    def stop(self):
        self.resume()  # a stopped process would hold SIGTERM until it is let go on
        if self in RUNNING:
            RUNNING.remove(self)
        self._signal(signal.SIGTERM)
        for _, child, log in self._children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
            log.close()
        self._children = []
