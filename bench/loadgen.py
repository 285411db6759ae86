"""A small, bounded HTTP load generator and helpers to run Catalog under gunicorn on loopback.

Used by bench/bench_load.py (throughput with assertions) and tests/scale (two app processes on
one PostgreSQL). Standard library only: threads + http.client, so it measures the server and not
a client framework. Every run is bounded both in requests and in seconds.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    ms: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


class Browser:
    """One user agent: keeps its cookies and a keep-alive connection to one server."""

    def __init__(self, port: int, host: str = "127.0.0.1", token: str | None = None,
                 timeout: float = 30) -> None:
        self.host, self.port, self.token, self.timeout = host, port, token, timeout
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, *, form: dict[str, Any] | None = None,
                json_body: Any = None) -> Response:
        headers = {"Host": f"{self.host}:{self.port}"}
        body: bytes | None = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            conn = self._conn or http.client.HTTPConnection(self.host, self.port,
                                                            timeout=self.timeout)
            self._conn = conn
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                raw = conn.getresponse()
                data = raw.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn's sync workers close idle keep-alive connections: reconnect once.
                conn.close()
                self._conn = None
                if attempt == 2:
                    raise
                continue
            except BaseException:
                conn.close()
                self._conn = None
                raise
            ms = (time.perf_counter() - started) * 1000
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, val = pair.partition("=")
                    self.cookies[key.strip()] = val.strip()
            if raw.getheader("Connection", "").lower() == "close":
                conn.close()
                self._conn = None
            return Response(raw.status, data, {k.lower(): v for k, v in raw.getheaders()}, ms)
        raise AssertionError("unreachable")

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def csrf(self, path: str) -> str:
        page = self.get(path)
        match = _CSRF.search(page.text)
        assert match, f"no CSRF token on {path} ({page.status})"
        return match.group(1)

    def post_form(self, path: str, form: dict[str, Any], *, token_from: str | None = None
                  ) -> Response:
        """POST a form as a browser would: with the CSRF token of the page showing it."""
        data = {"csrf_token": self.csrf(token_from or path), **form}
        return self.request("POST", path, form=data)

    def login(self, email: str, password: str) -> None:
        response = self.post_form("/login", {"email": email, "password": password})
        assert response.status == 302, (response.status, response.text[:300])

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, port: int, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "load-test-secret",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "LOG_LEVEL": "WARNING",
           "SMTP_URL": "smtp://127.0.0.1:1", **extra}
    env.pop("FLASK_APP", None)
    return env


@contextmanager
def gunicorn(database_url: str, *, workers: int = 2, port: int | None = None,
             timeout: float = 60, **env: str) -> Iterator[int]:
    """Run ``gunicorn -w N catalog.wsgi:app`` on 127.0.0.1; yields its port; stops it after."""
    port = port or free_port()
    argv = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
            "--timeout", "120", "--graceful-timeout", "5", "catalog.wsgi:app"]
    log = open(f"/tmp/catalog-gunicorn-{port}.log", "wb")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(argv, env=server_env(database_url, port, **env),
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(port, timeout=timeout, process=process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_healthy(port: int, *, timeout: float, process: subprocess.Popen[bytes] | None = None
                 ) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            with open(f"/tmp/catalog-gunicorn-{port}.log", "rb") as log:
                tail = log.read()[-2000:]
            raise RuntimeError(f"server on {port} exited: {tail.decode(errors='replace')}")
        probe = Browser(port, timeout=5)
        try:
            if probe.get("/health").status == 200:
                return
        except OSError:
            pass
        finally:
            probe.close()
        time.sleep(0.2)
    raise RuntimeError(f"server on {port} not healthy after {timeout}s")


@dataclass
class LoadResult:
    """What a run did: latencies per kind of action, failures, and the wall time."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            self.samples.setdefault(kind, []).append(ms)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.samples.values())


def run_users(users: list[Callable[[LoadResult, int], None]], *, max_actions: int,
              max_seconds: float) -> LoadResult:
    """Run each user function in its own thread, action after action, until either bound.

    A user function does one action (one or a few requests) per call, records its latency with
    ``result.add`` and any wrong answer with ``result.fail``; it gets the action's sequence number.
    """
    result = LoadResult()
    counter = iter(range(max_actions))
    counter_lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def loop(user: Callable[[LoadResult, int], None]) -> None:
        while time.monotonic() < deadline:
            with counter_lock:
                n = next(counter, None)
            if n is None:
                return
            try:
                user(result, n)
            except Exception as exc:
                result.fail(f"{type(exc).__name__}: {exc}")

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(u,), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + 60)
    result.seconds = time.perf_counter() - started
    return result
