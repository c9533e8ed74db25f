"""``python -m cryptonic.cli``: the command line, with its exit code."""

from cryptonic.cli.main import main

raise SystemExit(main())
