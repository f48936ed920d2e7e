"""What is taught: the counting-rules catalogue, scenario files and their validation, coverage of
the bank, and the JSON caches that let the application start without re-validating either.

Owns the domain types of the public formats (`models`), the YAML reading with line numbers and the
pydantic validation into those types. Imports nothing from the other rooms (only `errors`, `paths`).
"""
