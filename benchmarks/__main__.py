"""``python -m benchmarks`` (``make bench``): issue 13's section at scale, added to
BENCHMARKS.md, then every earlier benchmark printed as Markdown rows."""

import asyncio
import sys

from benchmarks import figures, scale

print("\n".join(scale.main(["--write", *sys.argv[1:]], command="make bench")))
asyncio.run(figures.main())
