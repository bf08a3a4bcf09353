"""Files Lineage Explorer ships (schemas, templates, styles, the demo), installed as the package
``lineage_resources``; code finds them with :func:`lineage.resources.resource_path`."""
