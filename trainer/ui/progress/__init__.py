"""A trainee's own progress: figures, the accuracy chart and past sessions."""
