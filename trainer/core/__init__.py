"""Qt-free core, in five rooms that import one way only.

`content` (what is taught) <- `grading` (how an answer is judged) <- `store` (what is kept)
<- `reports` (what supervisors see) <- `practice` (how a trainee practises). A room may import the
rooms to its left and never those to its right; `errors` and `paths` belong to no room and any room
may use them. Nothing in the core imports PySide6 or `trainer.ui` (`tests/core/test_layers.py`).
"""
