"""The one error type the core raises for problems a user can fix."""


class TrainerError(Exception):
    """A problem with input or data, worded for the person who can fix it (one line)."""
