"""The emulator's HTTP server: sockets, threads, bytes in and out."""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from target_eloqua.emulator.http.callbacks import post_in_background
from target_eloqua.emulator.http.routes import dispatch, normalise_path
from target_eloqua.emulator.http.traffic import Backend
from target_eloqua.emulator.http.wire import Request, Response
from target_eloqua.emulator.model.instance import EloquaInstance

logger = logging.getLogger(__name__)

_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Expires": "-1",
    "P3P": 'CP="IDC DSP COR DEVa TAIa OUR BUS PHY ONL UNI COM NAV CNT STA",',
    "X-XSS-Protection": "1; mode=block",
    "X-Content-Type-Options": "nosniff",
}
"""Headers a real Eloqua pod sends on every answer, as recorded traffic shows (Oracle's sample in
its fields tutorial has ``Cache-Control: private``):
https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Tutorials/Fields%20(metadata).htm
"""

_POLL_SECONDS = 0.01
"""How often the serving thread checks for ``stop()``: short, so that tests stop quickly."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], backend: Backend) -> None:
        super().__init__(address, _Handler)
        self.backend = backend
        self._request_numbers = itertools.count(1)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def next_request_id(self) -> str:
        """Eloqua's form: 32 hex digits, a slash, a number."""
        return f"{secrets.token_hex(16)}/{next(self._request_numbers)}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes; don't delay the 2nd
    server: _HTTPServer

    def version_string(self) -> str:
        return "EloquaEmulator"

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(Response(400, reason="Bad Request"))
            return
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=normalise_path(url.path),
            query=dict(parse_qsl(url.query)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            base_url=f"http://{self.headers['Host']}" if self.headers["Host"] else self.server.url,
        )
        try:
            response = dispatch(self.server.backend, request)
        except Exception:
            logger.exception("%s %s failed", self.command, self.path)
            response = Response(500)
        self._send(response)

    def _read_body(self) -> bytes:
        """The request body, by Content-Length or chunked; ValueError if the framing is bad."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunks()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length)

    def _read_chunks(self) -> bytes:
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0].strip(), 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()  # the CRLF ending the chunk
        while self.rfile.readline().strip():  # trailer lines, up to the blank line
            pass
        return b"".join(chunks)

    def _send(self, response: Response) -> None:
        if response.drop:
            self.close_connection = True
            return
        self.send_response(response.status, response.phrase)
        for name, value in {**_HEADERS, **response.headers}.items():
            self.send_header(name, value)
        self.send_header("X-Request-Id", self.server.next_request_id())
        payload = b""
        if response.body is not None:
            text = json.dumps(response.body, ensure_ascii=False, separators=(",", ":"))
            payload = text.encode("utf-8")
            self.send_header("Content-Type", "application/json; charset=utf-8")
        if response.status != 204:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class EmulatorServer:
    """An emulated Eloqua on loopback, served from a daemon thread.

    The socket is bound on construction, so ``url`` is known before ``start()``; port 0 picks a free
    port. Sync callbacks are POSTed (``callbacks``) unless the instance has its own sender.

    It serves one ``EloquaInstance`` on a ``ThreadingHTTPServer``. Each request is read into a
    ``wire.Request``, answered by ``routes.dispatch`` and written back with Eloqua's reason phrase
    and headers (``Content-Type: application/json; charset=utf-8`` on bodies;
    ``Cache-Control: no-store``, ``Pragma``, ``Expires``, ``X-Request-Id``, ``P3P`` and the security
    headers everywhere; a 204 has no Content-Type). An injected ``drop`` fault closes the connection
    without an answer.

        with EmulatorServer(EloquaInstance()) as server:
            requests.get(server.url + "/id", auth=("ACME\\\\API.User", "emulator"))
    """

    def __init__(self, instance: EloquaInstance, host: str = "127.0.0.1", port: int = 0) -> None:
        self.instance = instance
        if instance.callback_sender is None:
            instance.callback_sender = post_in_background
        self.backend = Backend(instance)
        self._httpd = _HTTPServer((host, port), self.backend)
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def url(self) -> str:
        """``http://HOST:PORT``, the base URL for both ``login_url`` and ``base_url``."""
        return self._httpd.url

    def start(self) -> EmulatorServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": _POLL_SECONDS},
                name="eloqua-emulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
