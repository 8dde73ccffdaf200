"""gunicorn's settings for the tracker: `gunicorn -c python:migration_dialogues.gunicorn
migration_dialogues.wsgi --workers 2` (README, "Running in production"; bench/run starts it so).

Each worker renders the dashboard once in every interface language before it takes its first
request (`post_worker_init`), so that no visitor meets a cold worker: the first dashboard a worker
draws builds and draws every forum's breakdown row and compiles the templates (about half a
second at 300,000 recommendations, docs/benchmarks.md), which afterwards it keeps and redraws only
for the forums that changed (tracker.breakdowns). A worker that answers from the response cache
alone still renders the page afresh after each public change.

The warm-up goes through the whole WSGI application as an anonymous visitor's request would, with
a session cookie, so that the response cache neither serves it (it must render) nor keeps it (a
visitor without that cookie gets its own entry); the cookie names no session. A page that fails
is logged and skipped: the worker starts all the same, cold.
"""

import io
import logging
import sys
import time

logger = logging.getLogger("migration_dialogues.warm_up")

# The pages a worker renders at start, by URL name, each in every language of `settings.LANGUAGES`.
WARM_UP_URLS = ("tracker:home",)


def warm_up_environ(path, settings):
    """The WSGI environ (PEP 3333) of an anonymous GET of `path` with a session cookie, over HTTPS
    when the site is served behind a TLS proxy (SECURE_SSL_REDIRECT would otherwise answer 301),
    to a host `settings.ALLOWED_HOSTS` admits."""
    hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host not in ("*", ".")]
    host = hosts[0] if hosts else "localhost"
    secure = settings.SECURE_SSL_REDIRECT
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "443" if secure else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}=warm-up",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def warm_up(application, after_each=None):
    """Render each page of `WARM_UP_URLS` in each language through `application` (a WSGI callable)
    and read its body, calling `after_each()` (if given) after each page. Returns a list of (path,
    status line, seconds) in the order rendered; a page that raised is logged with its traceback
    and listed with the status "error"."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    rendered = []
    for name in WARM_UP_URLS:
        for code, _label in settings.LANGUAGES:
            started = time.monotonic()
            path = f"{name} ({code})"
            try:
                with translation.override(code):
                    path = reverse(name)
                status = _render(application, warm_up_environ(path, settings))
            except Exception:
                logger.exception("Warming up %s failed; the worker starts without it", path)
                status = "error"
            if status != "error" and not status.startswith("200"):
                logger.warning("Warming up %s answered %s; the worker starts without it", path, status)
            rendered.append((path, status, time.monotonic() - started))
            if after_each is not None:
                after_each()
    return rendered


def _render(application, environ):
    """The status line `application` answers `environ` with, after reading the whole body."""
    status = []
    body = application(environ, lambda line, headers, *exc_info: status.append(line))
    try:
        for _chunk in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    return status[0] if status else "error"


def post_worker_init(worker):
    """gunicorn's hook, once in each worker after it loaded the application, before its first
    request: `warm_up(worker.wsgi)`, with one log line of what it rendered and how long it took.
    The worker tells the arbiter it is alive after each page (`worker.notify()`), so a warm-up
    longer than gunicorn's `--timeout` (at a larger data size, on a busy machine) does not get the
    worker killed and started again, for ever."""
    started = time.monotonic()
    rendered = warm_up(worker.wsgi, after_each=worker.notify)
    worker.log.info(
        "Warmed up in %.2f s: %s",
        time.monotonic() - started,
        ", ".join(f"{path} {status.split(' ')[0]} {seconds * 1000:.0f} ms" for path, status, seconds in rendered),
    )
