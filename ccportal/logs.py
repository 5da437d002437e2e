"""Secrets never reach a log: signed links (Django's TimestampSigner tokens), JWTs, Bearer credentials and
password fields are replaced by REDACTED in log records (a filter on the handlers and on the loggers that write
request paths), in gunicorn's access log (RedactingGunicornLogger) and in error reports (SafeErrorReportFilter)."""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

REDACTED = "[redacted]"
_SECRETS = re.compile(
    r"(?P<signed>(?<![\w-])\d+(?::|%3A)[0-9A-Za-z]{4,10}(?::|%3A)[A-Za-z0-9_-]{40,})"  # value:timestamp:signature
    r"|(?P<jwt>eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)"  # header.payload.signature
    r"|(?P<bearer>(?<=Bearer )[^\s\"',;]+)"
    r"|(?P<field>(?<=password=)[^&\s\"']+|(?<=token=)[^&\s\"']+)",
    re.IGNORECASE,
)


def secrets_redact(text):
    """``text`` with every signed token, JWT, Bearer credential and password/token form value replaced."""
    return _SECRETS.sub(REDACTED, text) if text else text


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record's message (and its formatted traceback) with secrets_redact before any handler sees it."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report, not ours
            return True
        redacted = secrets_redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = secrets_redact(record.exc_text)
        return True


class SafeErrorReportFilter(SafeExceptionReporterFilter):
    """Error reports (the 500 e-mail to ADMINS, the debug page) hide secret-looking POST fields on every view,
    not only those marked @sensitive_post_parameters, and redact secrets in the request's META (its path)."""

    hidden_post = re.compile(r"pass|token|secret|signature|refresh|access|authorization", re.IGNORECASE)

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if request is None or not parameters:
            return parameters
        cleansed = parameters.copy()
        for name in cleansed:
            if self.hidden_post.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {key: secrets_redact(value) if isinstance(value, str) else value for key, value in meta.items()}


def _gunicorn_logger_base():
    try:
        from gunicorn.glogging import Logger
    except ImportError:  # gunicorn is the deployment server; development and tests may run without it
        return object
    return Logger


class RedactingGunicornLogger(_gunicorn_logger_base()):
    """gunicorn's logger with the access log's request line, path, query and headers redacted (a contract link's
    token is in its path): ``gunicorn … --access-logfile - --logger-class ccportal.logs.RedactingGunicornLogger``."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: secrets_redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
