"""How a trainee practises: which scenarios a quiz asks, one quiz run (grade, then store before any
feedback), and a trainee's own progress.

The top room: may import `reports` (for the statistics its progress figures share), `store`,
`grading` and `content`. Nothing in the core imports it.
"""
