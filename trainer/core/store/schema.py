"""The progress database's schema, as forward migrations: one function per change, never edited.

The CHECK constraints guard what other code relies on: the CSV export writes the slug, decision
and time columns without quoting, because the schema guarantees they hold no commas, quotes or
line breaks. Each check costs microseconds on every insert, so the JSON columns are left to
`AnswerRecord` and the bundle importer (and the summaries' json_each rejects malformed JSON).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from sqlite_utils import Database, Migrations

from trainer.core.store.answer_rows import (
    FIGURE_TABLES,
    FORGET_TRAINEE_ROWS,
    SUMMARY_TABLES,
    summarise_after,
)
from trainer.core.store.records import new_id

migrations = Migrations("trainer")
STEPS: list[str] = []  # every migration this version knows, oldest first


def _step(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    STEPS.append(fn.__name__)
    return migrations()(fn)


_ISO = (
    "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]"
    ".[0-9][0-9][0-9][+-][0-9][0-9]:[0-9][0-9]'"
)


def _iso(column: str) -> str:
    return f"{column} GLOB {_ISO}"


def _slug(column: str) -> str:
    return f"({column} <> '' AND NOT {column} GLOB '*[^a-z0-9-]*')"


def _run(db: Database, script: str) -> None:
    """Run several statements in one transaction (sqlite-utils splits them safely)."""
    with db.atomic():
        db.executescript(script)


@_step
def m0001_progress(db: Database) -> None:
    """Trainees, supervisors, quiz sessions and answers."""
    _run(
        db,
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE trainees (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            staff_number TEXT NOT NULL CHECK (length(staff_number) BETWEEN 1 AND 32),
            role TEXT NOT NULL CHECK (role IN ('call-handler', 'officer')),
            created_at TEXT NOT NULL CHECK ({_iso("created_at")}),
            workstation_id TEXT NOT NULL
        );
        CREATE INDEX trainees_by_staff_number ON trainees (staff_number);
        CREATE TABLE trainee_resets (
            trainee_id TEXT NOT NULL REFERENCES trainees (id),
            reset_at TEXT NOT NULL CHECK ({_iso("reset_at")}),
            reset_ts REAL NOT NULL,
            reset_by TEXT NOT NULL
        );
        CREATE INDEX trainee_resets_by_trainee ON trainee_resets (trainee_id, reset_ts);
        CREATE TABLE supervisors (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
            created_at TEXT NOT NULL,
            last_sign_in_at TEXT,
            last_sign_in_ts REAL
        );
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            at TEXT NOT NULL,
            at_ts REAL NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE INDEX sign_in_failures_by_user ON sign_in_failures (username, at_ts);
        CREATE TABLE quiz_sessions (
            id TEXT PRIMARY KEY,
            trainee_id TEXT NOT NULL REFERENCES trainees (id),
            mode TEXT NOT NULL CHECK ({_slug("mode")}),
            started_at TEXT NOT NULL CHECK ({_iso("started_at")}),
            started_ts REAL NOT NULL,
            finished_at TEXT CHECK (finished_at IS NULL OR {_iso("finished_at")}),
            workstation_id TEXT NOT NULL
        );
        CREATE INDEX quiz_sessions_by_trainee ON quiz_sessions (trainee_id, started_ts);
        CREATE TABLE answers (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            session_id TEXT NOT NULL REFERENCES quiz_sessions (id),
            trainee_id TEXT NOT NULL REFERENCES trainees (id),
            scenario_id TEXT NOT NULL CHECK ({_slug("scenario_id")}),
            scenario_hash TEXT NOT NULL,
            catalogue_edition TEXT NOT NULL,
            scenario_title TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('classify', 'cancellation')),
            topics TEXT NOT NULL,
            expected_decision TEXT NOT NULL
                CHECK (expected_decision IN ('crime', 'incident', 'refer', 'retain', 'cancel')),
            decision TEXT NOT NULL
                CHECK (decision IN ('crime', 'incident', 'refer', 'retain', 'cancel')),
            crime_groups TEXT NOT NULL,
            answer TEXT NOT NULL,
            score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
            findings TEXT NOT NULL,
            finding_kinds TEXT NOT NULL,
            finding_rules TEXT NOT NULL,
            asked TEXT NOT NULL,
            exam INTEGER NOT NULL CHECK (exam IN (0, 1)),
            shown_at TEXT NOT NULL CHECK ({_iso("shown_at")}),
            answered_at TEXT NOT NULL CHECK ({_iso("answered_at")}),
            answered_ts REAL NOT NULL,
            seconds_taken REAL NOT NULL CHECK (seconds_taken >= 0),
            workstation_id TEXT NOT NULL
        );
        CREATE INDEX answers_by_trainee ON answers (trainee_id, answered_ts)
        """,
    )
    db.execute("INSERT INTO meta (key, value) VALUES ('workstation_id', ?)", [new_id()])


@_step
def m0002_dashboard(db: Database) -> None:
    """Indexes and per-trainee summaries, so the team table needs no scan of the answers."""
    _run(
        db,
        """
        CREATE INDEX answers_by_scenario ON answers (scenario_id, trainee_id, score);
        CREATE INDEX answers_by_time ON answers (answered_ts);
        CREATE TABLE answer_topics (
            topic TEXT NOT NULL,
            answered_ts REAL NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (topic, answered_ts, seq)
        ) WITHOUT ROWID;
        CREATE TABLE trainee_totals (
            trainee_id TEXT NOT NULL,
            exam INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            score_sum INTEGER NOT NULL,
            record_n INTEGER NOT NULL,
            record_k INTEGER NOT NULL,
            exact_k INTEGER NOT NULL,
            cancel_n INTEGER NOT NULL,
            cancel_k INTEGER NOT NULL,
            last_answered_at TEXT NOT NULL,
            last_ts REAL NOT NULL,
            PRIMARY KEY (trainee_id, exam)
        ) WITHOUT ROWID;
        CREATE TABLE trainee_findings (
            trainee_id TEXT NOT NULL,
            rule TEXT NOT NULL,
            kind TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (trainee_id, rule, kind)
        ) WITHOUT ROWID;
        CREATE INDEX trainee_findings_by_rule ON trainee_findings (rule, kind, n)
        """,
    )
    rebuild_summaries(db)


def forget_schedules(conn: sqlite3.Connection) -> None:
    """Empty the rule schedule's cache: the next look at it rebuilds it from the answers."""
    conn.execute("DELETE FROM rule_schedule")
    conn.execute("DELETE FROM schedule_marks")
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schedule_seq'")
    conn.execute("DELETE FROM meta WHERE key = 'schedule_rebuild'")  # one under way starts again


def forget_trainee(db: Database, trainee_id: str) -> None:
    """Drop a trainee's summaries (their answers are being deleted in the same transaction)."""
    # Freed answer numbers may be taken again: the schedule re-reads from the first of them.
    db.conn.execute(
        "UPDATE meta SET value = CAST(min(CAST(value AS INTEGER), (SELECT coalesce(min(seq), 1)"
        " - 1 FROM answers WHERE trainee_id = ?)) AS TEXT) WHERE key = 'schedule_seq'",
        [trainee_id],
    )
    for statement in FORGET_TRAINEE_ROWS:  # by key: a scan of each held the lock 10 s at 1M
        db.conn.execute(statement, [trainee_id])
    for table in ("trainee_totals", "trainee_findings", "trainee_running", "rule_schedule",
                  "schedule_marks"):  # fmt: skip
        db.conn.execute(f"DELETE FROM {table} WHERE trainee_id = ?", [trainee_id])
    db.conn.execute(
        "DELETE FROM grade_history WHERE answer_id IN "
        "(SELECT id FROM answers WHERE trainee_id = ?)",
        [trainee_id],
    )


def rebuild_summaries(db: Database) -> None:
    """Recompute every summary from the answers (a migration's backfill, or a repair).

    Only the summaries the database has so far: an earlier migration rebuilds its own.
    """
    present = {name for (name,) in db.conn.execute("SELECT name FROM sqlite_master")}
    tables = tuple(t for t in SUMMARY_TABLES if t in present)
    with db.atomic():
        for table in tables:
            db.conn.execute(f"DELETE FROM {table}")
        summarise_after(db.conn, -(2**63), tables)


@_step
def m0003_regrades(db: Database) -> None:
    """What each answer was graded under, regrades with each changed answer's previous grade, and
    HMIC malpractice answers countable in SQL (backfilled from the stored findings)."""
    _run(
        db,
        f"""
        ALTER TABLE answers ADD COLUMN bank_hash TEXT;
        ALTER TABLE answers ADD COLUMN malpractice_trap TEXT;
        CREATE INDEX answers_by_bank ON answers (scenario_id, bank_hash);
        CREATE INDEX answers_by_malpractice ON answers
            (malpractice_trap, scenario_id, trainee_id, answered_ts)
            WHERE malpractice_trap IS NOT NULL;
        CREATE TABLE regrades (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL CHECK ({_iso("started_at")}),
            started_ts REAL NOT NULL,
            finished_at TEXT CHECK (finished_at IS NULL OR {_iso("finished_at")}),
            bank_hash TEXT NOT NULL,
            catalogue_edition TEXT NOT NULL,
            checked INTEGER NOT NULL DEFAULT 0,
            changed INTEGER NOT NULL DEFAULT 0,
            missing_scenario INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE grade_history (
            answer_id TEXT NOT NULL,
            regrade_id INTEGER NOT NULL REFERENCES regrades (id),
            score INTEGER NOT NULL,
            findings TEXT NOT NULL,
            expected_decision TEXT NOT NULL,
            crime_groups TEXT NOT NULL,
            scenario_hash TEXT NOT NULL,
            catalogue_edition TEXT NOT NULL,
            bank_hash TEXT,
            PRIMARY KEY (answer_id, regrade_id)
        ) WITHOUT ROWID;
        UPDATE answers SET malpractice_trap = (
            SELECT json_extract(value, '$.trap') FROM json_each(answers.findings)
            WHERE json_extract(value, '$.malpractice') = 1
                AND json_extract(value, '$.trap') IS NOT NULL
            LIMIT 1
        ) WHERE instr(findings, '"malpractice"') > 0
        """,
    )


@_step
def m0004_unfinished_quizzes(db: Database) -> None:
    """A trainee's quiz left unfinished (quit or crash), as a JSON document, to be resumed.

    One per trainee; it goes with its session (finishing or deleting the session removes it).
    """
    _run(
        db,
        f"""
        CREATE TABLE unfinished_quizzes (
            trainee_id TEXT PRIMARY KEY REFERENCES trainees (id) ON DELETE CASCADE,
            session_id TEXT NOT NULL UNIQUE REFERENCES quiz_sessions (id) ON DELETE CASCADE,
            state TEXT NOT NULL,
            saved_at TEXT NOT NULL CHECK ({_iso("saved_at")})
        ) WITHOUT ROWID
        """,
    )


@_step
def m0005_supervisor_status(db: Database) -> None:
    """A supervisor account can be disabled (kept, but unable to sign in)."""
    _run(db, "ALTER TABLE supervisors ADD COLUMN disabled_at TEXT")


@_step
def m0006_figures(db: Database) -> None:
    """Covering indexes and per-finding summaries, so every dashboard figure is a GROUP BY."""
    _run(
        db,
        """
        DROP INDEX answers_by_trainee;
        CREATE INDEX answers_by_trainee ON answers
            (trainee_id, answered_ts, exam, kind, expected_decision, decision, score);
        DROP INDEX answers_by_scenario;
        CREATE INDEX answers_by_scenario ON answers (scenario_id, trainee_id, answered_ts, score);
        CREATE TABLE answer_kinds (
            kind TEXT NOT NULL,
            answered_ts REAL NOT NULL,
            seq INTEGER NOT NULL,
            trainee_id TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (kind, answered_ts, seq)
        ) WITHOUT ROWID;
        CREATE TABLE answer_rules (
            rule TEXT NOT NULL,
            answered_ts REAL NOT NULL,
            seq INTEGER NOT NULL,
            trainee_id TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (rule, answered_ts, seq)
        ) WITHOUT ROWID;
        CREATE TABLE answer_groups (
            crime_group TEXT NOT NULL,
            answered_ts REAL NOT NULL,
            seq INTEGER NOT NULL,
            trainee_id TEXT NOT NULL,
            n INTEGER NOT NULL,
            perfect INTEGER NOT NULL,
            PRIMARY KEY (crime_group, answered_ts, seq)
        ) WITHOUT ROWID;
        CREATE TABLE trainee_running (
            trainee_id TEXT NOT NULL,
            answered_ts REAL NOT NULL,
            seq INTEGER NOT NULL,
            position INTEGER NOT NULL,
            exam INTEGER NOT NULL,
            score INTEGER NOT NULL,
            record_n INTEGER NOT NULL,
            record_k INTEGER NOT NULL,
            exact_k INTEGER NOT NULL,
            cancel_n INTEGER NOT NULL,
            cancel_k INTEGER NOT NULL,
            c_exam INTEGER NOT NULL,
            c_score INTEGER NOT NULL,
            c_record_n INTEGER NOT NULL,
            c_record_k INTEGER NOT NULL,
            c_exact_k INTEGER NOT NULL,
            c_cancel_n INTEGER NOT NULL,
            c_cancel_k INTEGER NOT NULL,
            PRIMARY KEY (trainee_id, answered_ts, seq)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX trainee_running_by_position ON trainee_running (trainee_id, position)
        """,
    )
    with db.atomic():
        summarise_after(db.conn, -(2**63), FIGURE_TABLES)


@_step
def m0007_central_outbox(db: Database) -> None:
    """What the central store has not yet received: kept by triggers, emptied by `trainer sync`.

    An answer is queued by its seq when stored and again when regraded; a trainee or a session may
    change after it was read for sending (a session finishes), so each carries a version, and a
    sent row leaves the outbox only if its version is still the one sent.
    """
    changed = """
        CREATE TRIGGER {table}_unsent_{event} AFTER {event} ON {table} BEGIN
            INSERT INTO unsent_rows (tbl, id, version) VALUES ('{table}', new.id, 1)
            ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
        END;
    """
    _run(
        db,
        "\n".join(
            [
                """
        CREATE TABLE unsent_answers (seq INTEGER PRIMARY KEY);
        CREATE TABLE unsent_rows (
            tbl TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (tbl, id)
        ) WITHOUT ROWID;
        CREATE TRIGGER answers_unsent AFTER INSERT ON answers BEGIN
            INSERT INTO unsent_answers (seq) VALUES (new.seq);
        END;
        CREATE TRIGGER answers_gone AFTER DELETE ON answers BEGIN
            DELETE FROM unsent_answers WHERE seq = old.seq;
        END;
        CREATE TRIGGER answers_regraded AFTER UPDATE OF score, findings ON answers BEGIN
            INSERT OR IGNORE INTO unsent_answers (seq) VALUES (new.seq);
        END;
        CREATE TRIGGER trainees_gone AFTER DELETE ON trainees BEGIN
            DELETE FROM unsent_rows WHERE tbl = 'trainees' AND id = old.id;
        END;
        CREATE TRIGGER quiz_sessions_gone AFTER DELETE ON quiz_sessions BEGIN
            DELETE FROM unsent_rows WHERE tbl = 'quiz_sessions' AND id = old.id;
        END;
        INSERT INTO unsent_answers (seq) SELECT seq FROM answers;
        INSERT INTO unsent_rows (tbl, id, version) SELECT 'trainees', id, 1 FROM trainees;
        INSERT INTO unsent_rows (tbl, id, version) SELECT 'quiz_sessions', id, 1
            FROM quiz_sessions;
        """,
                *(
                    changed.format(table=table, event=event)
                    for table in ("trainees", "quiz_sessions")
                    for event in ("INSERT", "UPDATE")
                ),
            ]
        ),
    )


@_step
def m0008_schedule_certainty(db: Database) -> None:
    """Certainty and the exercised rule cards with each answer; the rule schedule's cache.

    `rule_schedule` holds one FSRS card per trainee and rule, derived from the answers alone
    (`trainer.core.practice.schedule` folds in the answers after `schedule_seq`), so emptying it
    and the marks only costs a rebuild.
    """
    _run(
        db,
        """
        ALTER TABLE answers ADD COLUMN certainty INTEGER
            CHECK (certainty IS NULL OR certainty IN (1, 2, 3));
        ALTER TABLE answers ADD COLUMN cards TEXT;
        CREATE INDEX answers_confident_wrong ON answers (trainee_id)
            WHERE certainty = 3 AND decision <> expected_decision;
        CREATE TABLE rule_schedule (
            trainee_id TEXT NOT NULL,
            rule TEXT NOT NULL,
            state INTEGER NOT NULL,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due_ts REAL NOT NULL,
            last_ts REAL NOT NULL,
            reviews INTEGER NOT NULL,
            lapses INTEGER NOT NULL,
            PRIMARY KEY (trainee_id, rule)
        ) WITHOUT ROWID;
        CREATE INDEX rule_schedule_by_lapses ON rule_schedule (lapses, rule, trainee_id);
        CREATE TABLE schedule_marks (
            trainee_id TEXT PRIMARY KEY,
            last_ts REAL NOT NULL,
            last_id TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO meta (key, value) VALUES ('schedule_seq', '0'), ('schedule_retention', '')
        """,
    )


@_step
def m0009_xapi_sent(db: Database) -> None:
    """Which xAPI statements each learning record store has acknowledged (`trainer xapi send`)."""
    _run(
        db,
        f"""
        CREATE TABLE xapi_sent (
            lrs TEXT NOT NULL,
            statement_id TEXT NOT NULL,
            sent_at TEXT NOT NULL CHECK ({_iso("sent_at")}),
            PRIMARY KEY (lrs, statement_id)
        ) WITHOUT ROWID
        """,
    )


_DECISIONS = (
    "'crime', 'incident', 'refer', 'retain', 'cancel', 'approve', 'refuse', "
    "'escalate-inspector', 'escalate-superintendent', 'escalate-cps'"
)
_OLD_KIND_CHECK = "CHECK (kind IN ('classify', 'cancellation'))"
_OLD_DECISION_CHECK = re.compile(
    r"CHECK \((expected_decision|decision) "
    r"IN \('crime', 'incident', 'refer', 'retain', 'cancel'\)\)"
)


def _decision(column: str) -> str:
    """A recording or disposal decision, or an outcome type code such as 8, 16 or 1A."""
    codes = " OR ".join(
        f"{column} GLOB '{p}'" for p in ("[1-9]", "[1-9][0-9]", "[1-9][A-Z]", "[1-9][0-9][A-Z]")
    )
    return f"CHECK ({column} IN ({_DECISIONS}) OR {codes})"


@_step
def m0010_outcome_kinds(db: Database) -> None:
    """Answers to disposal reviews and outcome decisions: the kind and decision checks widen.

    SQLite cannot alter a CHECK, so the table is rebuilt from its own definition with only those
    checks replaced, its rows copied in order, and its indexes and triggers made again."""
    (table,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'answers'"
    ).fetchone()
    widened = table.replace(
        _OLD_KIND_CHECK,
        "CHECK (kind IN ('classify', 'cancellation', 'disposal-review', 'outcome'))",
    )
    widened, replaced = _OLD_DECISION_CHECK.subn(lambda m: _decision(m.group(1)), widened)
    if widened.count("'disposal-review'") != 1 or replaced != 2:
        raise RuntimeError("answers: the kind and decision checks are not the ones expected")
    widened = re.sub(r'^CREATE TABLE "?answers"?', "CREATE TABLE answers_new", widened)
    extras = [
        sql
        for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'answers' "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
    ]
    columns = ", ".join(row[1] for row in db.execute("PRAGMA table_info(answers)").fetchall())
    _run(
        db,
        ";\n".join(
            [
                widened,
                f"INSERT INTO answers_new ({columns}) SELECT {columns} FROM answers",
                "DROP TABLE answers",
                "ALTER TABLE answers_new RENAME TO answers",
                *extras,
            ]
        ),
    )


@_step
def m0011_trusted_keys(db: Database) -> None:
    """The workstations whose signed results bundles this one accepts, and who accepted each; and
    the rows an import under way has added so far, so an interrupted one can be taken out."""
    _run(
        db,
        f"""
        CREATE TABLE trusted_keys (
            fingerprint TEXT PRIMARY KEY,
            public_key TEXT NOT NULL,
            workstation_id TEXT NOT NULL,
            accepted_by TEXT NOT NULL,
            accepted_at TEXT NOT NULL CHECK ({_iso("accepted_at")}),
            accepted_ts REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE import_journal (
            import_id TEXT NOT NULL,
            pid INTEGER NOT NULL,
            tbl TEXT NOT NULL CHECK (tbl IN ('trainees', 'quiz_sessions', 'answers')),
            after_row INTEGER NOT NULL,
            last_row INTEGER NOT NULL
        )
        """,
    )


@_step
def m0012_trainee_unit(db: Database) -> None:
    """The unit a profile belongs to, as this workstation knows it (the answers CSV's `unit`).

    A central store keeps its own unit per person and stays authoritative for who may read whom;
    a profile's unit is what this workstation proposes when it first files the person. Profiles
    made before this step take the unit the workstation was configured to send
    (`trainer central set --unit`) when they were made here: what the central store received.
    """
    _run(
        db,
        f"""
        ALTER TABLE trainees ADD COLUMN unit TEXT
            CHECK (unit IS NULL OR (length(unit) <= 80 AND {_slug("unit")}));
        UPDATE trainees SET unit = (SELECT value FROM meta WHERE key = 'central_unit')
            WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'central_unit')
            AND workstation_id = (SELECT value FROM meta WHERE key = 'workstation_id');
        """,
    )


@_step
def m0013_history_outbox(db: Database) -> None:
    """Regraded answers wait for the central store again, which now keeps grade history too (a
    regraded answer travels with its earlier grades; those sent before went without them)."""
    _run(
        db,
        """
        INSERT OR IGNORE INTO unsent_answers (seq)
        SELECT seq FROM answers WHERE id IN (SELECT answer_id FROM grade_history)
        """,
    )
