"""``python -m benchmarks`` (``make bench``): issue 13's section at scale, added to
BENCHMARKS.md. The earlier micro-benchmarks print with ``python -m benchmarks.figures``, the
theme tagger's accuracy with ``python -m benchmarks.theme_accuracy``."""

import sys

from benchmarks import scale

print("\n".join(scale.main(["--write", *sys.argv[1:]], command="make bench")))
