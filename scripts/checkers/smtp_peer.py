"""An SMTP peer for the email notifier's tests, on aiosmtpd.

usage: smtp_peer.py PORT_FILE OUT_FILE [--tls CERT KEY] [--auth USER:PASSWORD] [--silent]

Listens on 127.0.0.1 (a free port, written to PORT_FILE). Each message received is appended to
OUT_FILE as one JSON line: the envelope, the authenticated user, whether the session was
encrypted, and the message's text. --tls offers STARTTLS with the certificate; --auth requires
AUTH (PLAIN or LOGIN) with these credentials, after STARTTLS. --silent accepts connections and
never says a word.
"""
import json
import os
import socket
import sys
import time

from orphan_guard import exit_with_parent

exit_with_parent()
port_file, out_file = sys.argv[1], sys.argv[2]
args = sys.argv[3:]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def publish(port):
    with open(port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(port_file + ".tmp", port_file)


if "--silent" in args:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    publish(server.getsockname()[1])
    held = []
    while True:
        conn, _ = server.accept()
        held.append(conn)

import ssl
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

tls = None
if "--tls" in args:
    i = args.index("--tls")
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args[i + 1], args[i + 2])
credentials = None
if "--auth" in args:
    credentials = args[args.index("--auth") + 1].split(":", 1)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        record = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "user": session.auth_data.login.decode() if session.auth_data else None,
                  "tls": session.ssl is not None, "message": envelope.content.decode("utf-8", "replace")}
        with open(out_file, "a") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = credentials is not None and auth_data.login.decode() == credentials[0] and auth_data.password.decode() == credentials[1]
    return AuthResult(success=True, auth_data=auth_data) if ok else AuthResult(success=False, handled=False, message="535 5.7.8 Authentication credentials invalid")


port = free_port()
kwargs = {"hostname": "127.0.0.1", "port": port}
if tls:
    kwargs.update(tls_context=tls, require_starttls=True)
if credentials:
    kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=tls is not None)
controller = Controller(Handler(), **kwargs)
controller.start()
publish(port)
while True:
    time.sleep(3600)
