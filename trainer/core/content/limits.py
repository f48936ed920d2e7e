"""The size limits of everything a scenario, a stored answer and a results bundle carry, defined
once: the scenario format, the store's checks and the bundle's model all read them from here, so
a scenario that passes `trainer validate` always travels in a bundle."""

from __future__ import annotations

TITLE = 200  # characters of a scenario title (stored with each answer, carried in bundles)
QUESTION = 500  # characters of a detail's `ask` (the questions a trainee opened travel too)
DETAIL_ANSWER = 5_000  # characters of a detail's `answer`
REPORT_TEXT = 20_000  # characters of the report a trainee reads
FEEDBACK = 5_000  # characters of a scenario's or a trap's feedback
FINDING_MESSAGE = 2_000  # characters of one finding's message
SLUG = 80  # characters of an id, topic, rule card or trap name
DETAILS = 50  # details of one report (every one may be asked)
TOPICS = 30  # topics of one scenario
FINDINGS = 100  # findings of one graded answer
CRIME_COUNT = 1_000  # the count of one recorded crime
NAME = 100  # characters of a trainee's name
STAFF_NUMBER = 32  # characters of a staff number
DEPTH = 32  # nesting of a scenario file's mappings and lists (the format needs six)
