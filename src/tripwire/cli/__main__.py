"""``python -m tripwire.cli ...`` runs the command line, exactly as the ``tripwire`` script does."""

from . import main

main()
