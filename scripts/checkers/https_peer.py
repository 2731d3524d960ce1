#!/usr/bin/env python3
"""An HTTPS peer for GuardedHTTPClient's tests (loopback only).

    https_peer.py PORT_FILE CERT KEY

Listens on 127.0.0.1 (a free port, written to PORT_FILE) with TLS from CERT and KEY; answers
GET /chunked with a chunked body, GET /redirect with a 302 to /hello, and anything else with
200 and "hello over tls". Exits when its parent does.
"""
import http.server
import os
import ssl
import sys

from orphan_guard import exit_with_parent

port_file, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            for part in [b"hello ", b"in ", b"chunks"]:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/hello")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"hello over tls (Host: " + self.headers.get("Host", "").encode() + b")"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


exit_with_parent()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
