"""The trainee's screens: start, choosing practice, a scenario and its answer form, feedback."""
