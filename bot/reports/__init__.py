"""Survey impact reports: uplift figures per sector group and the chart that shows them.

Pure functions over plain data, with no Telegram and no database, so the /stats command and
the digests render the same figures. The submodules are imported directly
(`bot.reports.uplift`, `bot.reports.charts`) so that text-only callers do not load Pillow.
"""
