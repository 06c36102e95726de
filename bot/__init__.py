"""coproduce's application shell: config, wiring, commands, jobs, reports, simulator, CLI."""

import os

# PTB 22 reports RetryAfter.retry_after as a timedelta only when asked; ask, before any use.
os.environ.setdefault("PTB_TIMEDELTA", "true")
