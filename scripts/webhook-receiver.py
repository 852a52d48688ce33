#!/usr/bin/env python3
"""A webhook receiver for trying OrleansSocial's outbound webhooks on one machine.

Listens on 127.0.0.1 (port 0: the system picks one, written to PORT_FILE), verifies each delivery's
Standard Webhooks signature with the secret in SECRET_FILE (read at every delivery, so it can be
written after the receiver starts) and prints one line per delivery:
"verified <type> <webhook-id>" or "REFUSED <why> <webhook-id>".

Usage: webhook-receiver.py PORT_FILE SECRET_FILE
"""
import base64, hashlib, hmac, http.server, json, sys, time

port_file, secret_file = sys.argv[1], sys.argv[2]


def verify(headers, body):
    msg_id, stamp, signatures = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature", "")
    if not msg_id or not stamp:
        return "headers missing"
    if abs(time.time() - int(stamp)) > 300:
        return "stale timestamp"
    with open(secret_file) as f:
        secret = f.read().strip()
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
    # The header may carry several signatures ("v1,<base64> v1,<base64>"): any one that matches will do.
    if any(hmac.compare_digest(expected, s.split(",", 1)[1]) for s in signatures.split() if s.startswith("v1,")):
        return None
    return "signature does not match"


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        refused = verify(self.headers, body)
        self.send_response(401 if refused else 200)
        self.end_headers()
        kind = json.loads(body).get("type") if not refused else refused
        print(("REFUSED " if refused else "verified ") + f"{kind} {self.headers.get('webhook-id')}", flush=True)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
