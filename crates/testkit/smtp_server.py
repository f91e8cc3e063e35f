"""A real SMTP server on loopback for the email alert tests (aiosmtpd).

Usage: smtp_server.py PORT MAILDIR [USER:PASSWORD]
Writes each accepted message to MAILDIR as NNNN.json: sender, recipients, and the
subject, From, To and body as a mail program shows them (headers decoded). Written aside,
then renamed, so a reader never sees half a message. With USER:PASSWORD it requires AUTH (PLAIN or LOGIN,
allowed without TLS on loopback) and refuses any other credentials. Prints "ready" once
it listens; stops when its standard input closes.
"""

import email
import email.policy
import itertools
import json
import logging
import os
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# Its warnings about AUTH without TLS are expected here (loopback only) and only clutter.
warnings.simplefilter("ignore")
logging.disable(logging.WARNING)

port, maildir = int(sys.argv[1]), sys.argv[2]
user, password = sys.argv[3].split(":", 1) if len(sys.argv) > 3 else (None, None)
numbers = itertools.count(1)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        seen = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "from": str(message["from"]),
            "to": str(message["to"]),
            "content_type": message.get_content_type(),
            "body": message.get_content(),
        }
        path = os.path.join(maildir, f"{next(numbers):04}.json")
        with open(path + ".part", "w", encoding="utf-8") as f:
            json.dump(seen, f)
        os.rename(path + ".part", path)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == user
        and auth_data.password.decode() == password
    )
    # handled=False: aiosmtpd itself answers a refusal with 535 (handled=True would leave
    # the client waiting for an answer the handler never gives).
    return AuthResult(success=ok, handled=False)


options = {}
if user is not None:
    options = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **options)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
