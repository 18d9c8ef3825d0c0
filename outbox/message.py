"""Mail messages people can read: Japanese bodies as 8-bit UTF-8, not base64.

Python's email package, left to itself, sends a UTF-8 body whose lines are longer than 78
bytes (26 Japanese characters) as base64, which the development console prints as an
unreadable block and some mail viewers show raw. The body goes out as 8bit instead (every
mail server of the last decades accepts it), or as quoted-printable when a line is too long
for 8bit (998 bytes). The development console also shows the subject as text: only
the SMTP backend, which passes its own policy, encodes the headers (RFC 2047).
"""

from __future__ import annotations

import email.policy
from email import charset as email_charset

from django.core.mail import EmailMessage

# The generator consults the registry when a message is turned into text (`as_string`):
# without this, it re-encodes an 8-bit UTF-8 body as base64 there.
email_charset.add_charset("utf-8", email_charset.SHORTEST, None, "utf-8")

# RFC 5322's limit on a line, in bytes, without its line break.
_LONGEST_8BIT_LINE = 998

# Headers as UTF-8 text: what the console backend prints (it calls message() without a
# policy); the SMTP backend passes email.policy.SMTP and gets encoded words.
READABLE = email.policy.default.clone(utf8=True)


class ReadableEmail(EmailMessage):
    """An EmailMessage whose Japanese body stays readable (8bit, or quoted-printable)."""

    def message(self, *, policy=READABLE):
        return super().message(policy=policy)

    def _add_bodies(self, msg) -> None:
        body = self.body or ""
        longest = max((len(line.encode()) for line in body.splitlines()), default=0)
        cte = "8bit" if longest <= _LONGEST_8BIT_LINE else "quoted-printable"
        msg.set_content(body, subtype=self.content_subtype, charset="utf-8", cte=cte)
