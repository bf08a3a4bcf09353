"""Reading inputs into the store: the importer protocol, discovery, reading, classification and
the one import session the command line, the explorer, `check` and the demo share."""
