"""``python -m benchmarks`` (``make bench``): every benchmark, printed as Markdown rows."""

import asyncio

from benchmarks.figures import main

asyncio.run(main())
