"""A real HTTP receiver on 127.0.0.1 for webhook tests: answers POSTs with the
statuses it is told, in order (the last one repeated), and records each request;
``acted`` is what a receiver that honours ``X-Forge-Delivery`` would have done
(each delivery once)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, statuses=(200,), delay=0.0, location=None):
        self.statuses = list(statuses)
        self.delay = delay
        self.location = location
        self.requests = []          # [(path, headers dict, body bytes)]
        self.acted = {}             # delivery id -> decoded body, first arrival only
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append((self.path, dict(self.headers), body))
                    index = len(receiver.requests) - 1
                    status = receiver.statuses[min(index, len(receiver.statuses) - 1)]
                    if 200 <= status < 300:
                        receiver.acted.setdefault(self.headers.get("X-Forge-Delivery"),
                                                  json.loads(body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d/hook" % self.server.server_address[1]

    def answer(self, *statuses):
        with self.lock:
            self.statuses = list(statuses)
            self.requests.clear()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
