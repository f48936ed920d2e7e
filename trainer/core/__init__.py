"""Qt-free core: catalogue, scenarios, grading, storage and statistics."""
