"""The importers' shared kit: loaders with line numbers, log and store readers, shape checks,
located problems and the base class of importers that read one JSON (or YAML, TOML) document.

Plug-ins sit beside this package in :mod:`lineage_importers`; nothing here is an importer.
"""
