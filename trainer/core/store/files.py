"""The database file's name and how long a connection waits for another writer."""

DB_NAME = "progress.db"
BUSY_TIMEOUT_S = 15.0
