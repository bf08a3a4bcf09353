"""The explorer: a Qt (PySide6) front end over :mod:`lineage`. Nothing imports this package.

The model layer lives in :mod:`lineage.views` (no Qt); this package only draws what it computes
and turns clicks and keys into new view requests.
"""
