"""`python -m watcher` runs the kinerja command."""

import sys

from watcher.cli import main

sys.exit(main())
