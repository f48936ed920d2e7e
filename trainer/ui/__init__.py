"""PySide6 user interface: a thin layer over trainer.core."""
