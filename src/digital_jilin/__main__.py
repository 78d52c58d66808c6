import sys

from digital_jilin.cli import main

sys.exit(main())
