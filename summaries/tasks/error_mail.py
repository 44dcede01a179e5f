"""Error reports mailed to ``ADMINS`` by the worker, never by the request that failed.

Django mails ``ADMINS`` about every 500 (and any other error logged on the loggers that
``toolkit.log.QueuedAdminEmailHandler`` serves) with ``AdminEmailHandler``, which sends
by SMTP inside the failing request: a slow or stopped mail server would then hold up or
kill the worker process already handling an error. The handler queues this task instead.

Not retried, and its own failure is not mailed (django-tasks logs it, and the report is
in the log already): an error report about failing error reports would loop.
"""

from django.core.mail import mail_admins
from django_tasks import task


@task()
def mail_error_report(subject: str, message: str, html_message: str | None = None) -> None:
    mail_admins(subject, message, fail_silently=False, html_message=html_message)
