import sys

from overwatch.cli import main

sys.exit(main())
