"""What practice and reports may ask of a store: one small protocol, whatever the engine.

`sqlite.Store` (the workstation's embedded database) satisfies it; a central engine fits behind the
same methods. Reads are plain SQL (`query`) written in the dialect both engines share, plus the few
typed reads and writes below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from trainer.core.store.records import AnswerRecord, AnswerRow, Trainee


class ResultsStore(Protocol):
    """A store of trainees, quiz sessions and graded answers."""

    workstation_id: str

    def query(
        self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """All rows of a read query (parameters by position, or by :name from a mapping)."""
        ...

    def trainees(self) -> list[Trainee]: ...

    def trainee(self, trainee_id: str) -> Trainee:
        """The trainee with this id (or, failing that, this staff number)."""
        ...

    def answers(
        self,
        trainee_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        topic: str | None = None,
    ) -> list[AnswerRow]:
        """Stored answers in the order they were given; `since` inclusive, `until` exclusive."""
        ...

    def start_session(self, trainee_id: str, mode: str) -> str: ...

    def finish_session(self, session_id: str) -> None:
        """Close a quiz session; an unfinished quiz kept for it is gone with it."""
        ...

    def record_answer(self, record: AnswerRecord) -> str:
        """Store one answer durably before returning its id."""
        ...

    def save_unfinished(self, trainee_id: str, session_id: str, state: str) -> None:
        """Keep the trainee's quiz under way (one per trainee, a JSON document) durably."""
        ...

    def unfinished_quiz(self, trainee_id: str) -> tuple[str, str] | None:
        """The session id and state document of the trainee's unfinished quiz, if any."""
        ...
