"""manage.py messages_send: the message worker. Sends every due queued message at the gateway's rate
(CC_SMS_RATE_PER_SECOND) — receipts of large imports, retries after back-off, alerts held over quiet hours."""

import time

from django.core.management.base import BaseCommand

from messaging.services import messages_send_due


class Command(BaseCommand):
    help = "Send due queued customer messages at the gateway's rate; --loop keeps doing so."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, looking for due messages every --every s")
        parser.add_argument("--every", type=float, default=5.0)
        parser.add_argument("--rate", type=float, default=None, help="messages per second (default CC_SMS_RATE_PER_SECOND)")
        parser.add_argument("--limit", type=int, default=None, help="send at most this many, then stop")
        parser.add_argument("--threads", type=int, default=None, help="gateway calls at once (default CC_SMS_SEND_THREADS)")

    def handle(self, *args, loop, every, rate, limit, threads, **options):
        from django.conf import settings

        threads = threads or settings.CC_SMS_SEND_THREADS
        while True:
            started = time.monotonic()
            counts = messages_send_due(limit=limit, rate_per_second=rate, threads=threads)
            if counts or not loop:
                total = sum(counts.values())
                seconds = time.monotonic() - started
                summary = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())) or "nothing due"
                self.stdout.write(f"{total} message(s) in {seconds:.1f} s ({summary})")
            if not loop:
                return
            time.sleep(every)
