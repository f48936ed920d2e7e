"""What supervisors see: the statistics (Wilson intervals, rates, item analysis), each defined once,
and the team figures, breakdowns and exports chosen from the store.

May import `store`, `grading` and `content`; never `practice`.
"""
