"""How an answer is judged: `grade(scenario, answer)`, findings, feedback in plain words, the answer
JSON format and the answer form's draft.

Pure functions over content's types, and `Attempt`, the graded answer reduced to what the figures
need. May import `content`; never the store, reports or practice.
"""
