#!/usr/bin/env python3
"""A stand-in OTLP/HTTP collector for load runs with tracing on: accepts POST /v1/traces, reads the whole body and
answers 200 with an empty ExportTraceServiceResponse (zero protobuf bytes), counting requests and bytes. It does not
decode: the tests' receiver (tests/AdmissionGuard.Tests/Tracing/OtlpReceiver.cs) does that.

    python3 tests/load/otlp-sink.py 4318     # prints "requests bytes" on SIGINT/SIGTERM
"""
import signal, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

count = {"requests": 0, "bytes": 0}
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with lock:
            count["requests"] += 1
            count["bytes"] += len(body)
        self.send_response(200 if self.path == "/v1/traces" else 404)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 4318), Sink)


def stop(*_):
    print(f"{count['requests']} requests {count['bytes']} bytes", flush=True)
    threading.Thread(target=server.shutdown).start()


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
server.serve_forever()
