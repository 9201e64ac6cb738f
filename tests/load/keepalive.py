# keepalive.py PORT N REVIEW...: N POSTs to /validate over one keep-alive HTTPS connection, the reviews in turn,
# one at a time; exits non-zero unless every answer is 200 and allows. Used by instructions.sh.
import http.client
import ssl
import sys

port, count, files = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
bodies = [open(f, "rb").read() for f in files]
connection = http.client.HTTPSConnection("127.0.0.1", port, context=ssl._create_unverified_context(), timeout=600)
for i in range(count):
    connection.request("POST", "/validate", body=bodies[i % len(bodies)], headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.read()
    if response.status != 200 or b'"allowed":true' not in answer:
        sys.exit(f"request {i}: HTTP {response.status} {answer[:200]!r}")
connection.close()
