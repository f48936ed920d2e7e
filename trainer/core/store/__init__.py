"""What is kept: the progress database (SQLite on each workstation), its schema and migrations,
backups, results bundles, CSV exports and supervisor accounts.

`protocol.ResultsStore` is what practice and reports may ask of a store; `sqlite.Store` is the
embedded engine behind it, and a second engine fits behind the same protocol. May import `grading`
and `content`; never reports or practice.
"""
