"""Views, computed without any UI: the explorer's model layer, shared with the CLI's exports and
tours. A :class:`~lineage.views.spec.ViewSpec` says what to show; :func:`~lineage.views.scenes.build_scene`
turns it into a :class:`~lineage.views.scenes.Scene`; :mod:`~lineage.views.layout` places it."""
