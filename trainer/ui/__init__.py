"""PySide6 user interface, a thin layer over trainer.core.

`trainee/` holds the trainee's screens, `progress/` their progress view and `dashboard/` the
supervisor dashboard; the modules beside them are shared plumbing (the application and its
context, the main window, background jobs, errors, small widgets and table models).
"""
