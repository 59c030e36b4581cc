"""A local HTTP server in a thread, for download tests that must not need the internet."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        status, ctype, body, cut = route
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # a cut transfer: Content-Length announces the whole body, the connection ends early
        self.wfile.write(body[:cut] if cut is not None else body)
        if cut is not None:
            self.close_connection = True

    def log_message(self, *args):  # keep the test output clean
        pass


@contextlib.contextmanager
def file_server():
    """Yield ``(base_url, routes)``; ``routes[path] = (status, content type, body, cut)``.

    ``cut`` is None for a whole body, or the number of bytes sent before the connection ends.
    """
    handler = type("Handler", (_Handler,), {"routes": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/tables", handler.routes
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def serve(routes: dict, code: str, body: bytes, *, ctype="text/csv; charset=ISO-8859-1",
          status: int = 200, cut: int | None = None) -> None:
    """Serve ``body`` as the export of table ``code`` (``/tables/<code>_00.csv``)."""
    routes[f"/tables/{code}_00.csv"] = (status, ctype, body, cut)


def free_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
