"""`python -m watcher` runs the kinerja command."""

import sys

from watcher.cli import main

if __name__ == "__main__":  # not when a validation process imports it (`watcher.service.prefetch`)
    sys.exit(main())
