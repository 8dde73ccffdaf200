"""A real webhook receiver for the tests (an HTTP server on 127.0.0.1, in a thread) and a record of
every network call the process makes (Python's audit hooks), so a test can show that a refused
delivery never connected and that no test connects outside 127.0.0.0/8."""

import contextlib
import ipaddress
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


class Receiver:
    """What the server received: `requests` [(path, headers {name: value}, body bytes)], the
    number of TCP `connections` it accepted; `fail(n)` makes the next n requests answer 500,
    `answer_with(status, headers)` every later one."""

    def __init__(self):
        self.requests = []
        self.connections = 0
        self.failures = 0
        self.status, self.headers = 200, {}
        self.lock = threading.Lock()
        self.port = None

    def url(self, path="/hook", host="127.0.0.1", scheme="http"):
        return f"{scheme}://{host}:{self.port}{path}"

    def fail(self, times):
        with self.lock:
            self.failures = times

    def answer_with(self, status, headers=None):
        with self.lock:
            self.status, self.headers = status, headers or {}


def _handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                receiver.requests.append((self.path, dict(self.headers.items()), body))
                failing = receiver.failures > 0
                receiver.failures -= failing
                status, headers = (500, {}) if failing else (receiver.status, receiver.headers)
            answer = (b"failing on purpose " if failing else b"received ") + b"x" * 600
            self.send_response(status)
            for name, value in {"Content-Type": "text/plain", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format, *args):
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):
        with self.receiver.lock:
            self.receiver.connections += 1
        return True


def certificate(directory, san):
    """A self-signed certificate and its key (paths) for the subjectAltName `san`, e.g.
    "IP:127.0.0.1", made with the openssl command."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1"]
        + ["-subj", "/CN=webhook receiver", "-addext", f"subjectAltName={san}"],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextlib.contextmanager
def webhook_receiver(tls=None):
    """Yields a Receiver whose server listens on 127.0.0.1 (a free port) until the block ends;
    over TLS with `tls` = (certificate, key) paths."""
    receiver = Receiver()
    server = _Server(("127.0.0.1", 0), _handler(receiver))
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.receiver = receiver
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# Audit events ("socket.connect" with the address, "socket.getaddrinfo" with the host) recorded
# while a NetworkLog is open. The hook is added once per process and cannot be removed.
_logs = []
_hooked = False


def _audit(event, args):
    if not _logs or event not in ("socket.connect", "socket.getaddrinfo"):
        return
    entry = (event, args[1] if event == "socket.connect" else args[0])
    for log in list(_logs):
        log.append(entry)


class NetworkLog(list):
    def connects(self):
        """The addresses connected to: (host, port) tuples (Unix sockets are left out)."""
        return [address for event, address in self if event == "socket.connect" and isinstance(address, tuple)]

    def lookups(self):
        return [host for event, host in self if event == "socket.getaddrinfo"]

    def outside_loopback(self):
        return [address for address in self.connects() if ipaddress.ip_address(address[0]) not in _LOOPBACK]


@contextlib.contextmanager
def network_log():
    """Yields a NetworkLog of every socket connection and name lookup of this process (all threads)."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    log = NetworkLog()
    _logs.append(log)
    try:
        yield log
    finally:
        _logs.remove(log)
