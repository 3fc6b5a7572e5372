"""``python -m tripwire ...`` runs the command line, exactly as the ``tripwire`` script does."""

from .cli import main

main()
