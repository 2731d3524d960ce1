"""A webhook peer for the notifier tests, on Python's http.server.

usage: webhook_catcher.py PORT_FILE OUT_FILE [STATUS ...]

Listens on 127.0.0.1 (a free port, written to PORT_FILE), appends each POST's body as one line
to OUT_FILE, and answers with the given statuses in turn (the last one repeats; 200 if none).
A POST to /hang is read and never answered.
"""
import http.server
import sys
import threading
import time

from orphan_guard import exit_with_parent

exit_with_parent()
port_file, out_file = sys.argv[1], sys.argv[2]
statuses = [int(s) for s in sys.argv[3:]] or [200]
lock = threading.Lock()
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            with open(out_file, "ab") as f:
                f.write(self.path.encode() + b" " + self.headers.get("Content-Type", "").encode() + b" " + body + b"\n")
            status = statuses[min(count, len(statuses) - 1)]
            count += 1
        if self.path == "/hang":
            time.sleep(3600)
            return
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
