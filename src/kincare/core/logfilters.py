"""No query string ever reaches a log: they can carry member ids and diagnoses (issue 13).

``StripQueryStrings`` is installed on every handler in ``settings.LOGGING`` (Django's request
and ``runserver`` logs included); ``kincare serve`` gives gunicorn an access-log format that
logs the path without its query (``ACCESS_LOG_FORMAT``).
"""

from __future__ import annotations

import logging
import re

#: gunicorn's default access format with the request line ``%(r)s`` replaced by method, path
#: without the query (``%(U)s``) and protocol, and without the referrer (it has queries too)
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'

#: a path (or URL) followed by ``?query``: the query goes, up to the next space or quote
_QUERY = re.compile(r"""((?:https?://[^\s/"'?]+)?/[^\s?"']*)\?[^\s"'#]*""")


def strip_query_strings(text: str) -> str:
    return _QUERY.sub(r"\1", text)


class StripQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours
            return True
        if "?" in message:
            record.msg, record.args = strip_query_strings(message), None
        return True
