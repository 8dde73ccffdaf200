"""Real servers for tests: gunicorn in production mode (separate processes) and an SMTP server
(aiosmtpd, in a thread) that keeps what it receives.

Used where an in-process test client cannot show the behaviour: a database restart under a
running server (test_faults.py) and a cache shared by two server processes (test_response_cache.py).
"""

import contextlib
import email
import email.policy
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Production settings, except that static files need no collectstatic run; `extra` lines follow.
SETTINGS = (
    "from migration_dialogues.settings import *  # noqa: F403\n"
    "STORAGES = {**STORAGES, 'staticfiles': "  # noqa: F405
    "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(url, method="GET", body=None, headers=None, timeout=30):
    """(status, headers, text) of one request to a local server; error statuses are answers too."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (127.0.0.1 only)
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def production_env(directory, extra_settings="", **variables):
    """The environment of a production-mode server whose settings module lives in `directory`."""
    (directory / "server_settings.py").write_text(SETTINGS + extra_settings)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(directory), str(BASE_DIR)]),
        "DJANGO_SETTINGS_MODULE": "server_settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    env.update(variables)
    return {name: value for name, value in env.items() if value is not None}


def production_env_on_test_database(directory, connection, **variables):
    """`production_env()` whose server uses the database of `connection` (the test's: its ENGINE,
    NAME, HOST, PORT, USER and PASSWORD, passed as TEST_DATABASE)."""
    keys = ("ENGINE", "NAME", "HOST", "PORT", "USER", "PASSWORD")
    database = {key: connection.settings_dict[key] for key in keys}
    return production_env(
        directory,
        "import json, os\n"
        "DATABASES = {'default': {**DATABASES['default'], **json.loads(os.environ['TEST_DATABASE'])}}  # noqa: F405\n",
        TEST_DATABASE=json.dumps(database),
        **variables,
    )


@contextlib.contextmanager
def gunicorn(env, log, workers=1, ready_path="/healthz", timeout=60):
    """A gunicorn serving the app with `env` until the block ends, with the settings the README runs
    it with (migration_dialogues.gunicorn: each worker warms up first); yields (process, base URL)."""
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:migration_dialogues.gunicorn"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
            + ["--timeout", "60", "migration_dialogues.wsgi:application"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if http(base + ready_path)[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, "gunicorn exited:\n" + log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start:\n" + log.read_text()
            time.sleep(0.2)
        yield server, base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Inbox:
    """An aiosmtpd handler that keeps every message it receives, as (sorted recipients, message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((sorted(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        """The messages one of whose recipients is `address`."""
        return [message for rcpts, message in self.messages if address in rcpts]


@contextlib.contextmanager
def smtp_server():
    """A real SMTP server on 127.0.0.1 and a free port; yields (inbox, port)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
