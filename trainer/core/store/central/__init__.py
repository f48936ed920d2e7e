"""The optional central results store on PostgreSQL: connection, schema, reading and sync.

Workstations keep SQLite (`store.sqlite`) and push what they record here (`sync`); supervisors
read force-wide figures through `CentralStore`, which answers the same queries the reports room
asks of SQLite. psycopg is imported only when a central store is used, never at start-up.
"""
