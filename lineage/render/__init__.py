"""Rendering: what the CLI and the exports write. :mod:`~lineage.render.escape` (the lowest
layer: every name escaped for the format it lands in) under :mod:`~lineage.render.text` (terminal
text and the JSON contract), :mod:`~lineage.render.reports` (simulations, findings, diffs,
checks), :mod:`~lineage.render.graphs` (a scene as SVG, PNG, PDF, DOT, GraphML, JSON) and
:mod:`~lineage.render.impact_report` (HTML, Markdown, CSV, JSON)."""
