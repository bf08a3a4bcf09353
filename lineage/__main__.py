"""``python -m lineage`` runs the command line."""

from lineage.cli import main

main()
