"""Exports: graphs (SVG, PNG, PDF, DOT, GraphML, JSON) and impact reports (HTML, Markdown, CSV,
JSON). Every name is escaped for the format it lands in (see :mod:`lineage.export.escape`)."""
