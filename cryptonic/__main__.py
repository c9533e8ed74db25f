"""``python -m cryptonic``: the command line of the ``cryptonic`` script, with its exit code."""

from cryptonic.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
