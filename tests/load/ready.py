#!/usr/bin/env python3
"""Starts a server and waits for its first HTTPS /readyz 200, cheaply.

    ready.py PORT LOGFILE COMMAND...

Prints "MILLISECONDS PID" (exec to the first 200) and leaves the server running. Polling with curl cost the
server a third of the two cores during its own start (a curl process per try); here a try is one TCP connect
(refused in microseconds until the server listens), and once it connects, one HTTPS request on that connection
per millisecond.
"""
import http.client
import socket
import ssl
import subprocess
import sys
import time

port = int(sys.argv[1])
log = open(sys.argv[2], "wb")
context = ssl._create_unverified_context()

start = time.monotonic_ns()
server = subprocess.Popen(sys.argv[3:], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def ready():
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        return False
    # The TLS request goes over the connection that succeeded: a connection the server accepts and sees closed
    # without a handshake costs it an exception (a first start's unwinding reads megabytes of the binary's tables,
    # which then count in its idle memory), and a kubelet's HTTPS probe never does that.
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context)
    try:
        connection.sock = context.wrap_socket(sock, server_hostname="127.0.0.1")
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
        sock.close()


while not ready():
    if server.poll() is not None:
        sys.exit(f"server exited with {server.returncode} before it was ready (log: {sys.argv[2]})")
    time.sleep(0.001)

print((time.monotonic_ns() - start) // 1_000_000, server.pid)
