import sys

from newsmon.cli import main

if __name__ == "__main__":  # not in a process spawned from this one (streams.enrichment)
    sys.exit(main())
