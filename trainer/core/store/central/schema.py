"""The central schema as versioned SQL migrations: one function per step, never edited once shipped.

`schema_migrations` records the steps applied; `migrate` applies the missing ones in order, each in
its own transaction, under an advisory lock so that two `trainer central init` runs queue. The
tables match the workstation's (`store.schema`) column for column, so the reports room's queries run
on both engines; `trainees` here are people (one per staff number) and `profiles` link each
workstation's profile to its person. Results arrive through `ingest` (security definer): a
workstation login may write staging rows and call it, and read nothing. Since step c0008 the
summaries are brought up to the answers filed by `fold_summaries`, apart from the sync.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from trainer.core.store.central.connection import SCHEMA

if TYPE_CHECKING:
    import psycopg

    Conn = psycopg.Connection[tuple[Any, ...]]

STEPS: list[tuple[str, Callable[[Conn], None]]] = []
LOCK_KEY = 0x7472_6169  # pg_advisory_xact_lock key: "trai"
DEFAULT_UNIT = "default"
# where functions running with the owner's rights find tables: never a session's own first
SAFE_SEARCH_PATH = f"{SCHEMA}, pg_catalog, pg_temp"


def _step(fn: Callable[[Conn], None]) -> Callable[[Conn], None]:
    STEPS.append((fn.__name__, fn))
    return fn


def applied(conn: Conn) -> list[str]:
    """The steps applied to this database, oldest first ([] for a database without the schema)."""
    exists = conn.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.schema_migrations"]).fetchone()
    if exists is None or exists[0] is None:
        return []
    rows = conn.execute(f"SELECT step FROM {SCHEMA}.schema_migrations ORDER BY step").fetchall()
    return [str(r[0]) for r in rows]


def migrate(conn: Conn, upto: int | None = None) -> list[str]:
    """Apply the missing steps (the first `upto` steps only, for tests); returns those applied."""
    from trainer.core.errors import TrainerError

    known = [name for name, _ in STEPS]
    done: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_migrations ("
            "step text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        have = applied(conn)
        newer = [s for s in have if s not in known]
        if newer:
            raise TrainerError(
                f"central store: schema step {newer[0]} comes from a newer trainer; "
                "upgrade this one before using that store"
            )
        conn.execute(f"SET LOCAL search_path = {SCHEMA}")
        for name, fn in STEPS[:upto]:
            if name in have:
                continue
            with conn.transaction():  # a savepoint: a failing step leaves nothing half done
                fn(conn)
                conn.execute("INSERT INTO schema_migrations (step) VALUES (%s)", [name])
            done.append(name)
    return done


def _edited(text: str, *changes: tuple[str, str]) -> str:
    """`text` with each (old, new) replaced once: a later step's SQL made from a shipped step's,
    never restated. Each old part must be there."""
    for old, new in changes:
        if old not in text:
            raise AssertionError(f"not in the SQL edited: {old[:60]!r}")
        text = text.replace(old, new, 1)
    return text


def _between(text: str, start: str, end: str) -> str:
    """The part of `text` from `start` up to (not including) `end`, for `_edited`."""
    first = text.index(start)
    return text[first : text.index(end, first)]


def _run(conn: Conn, script: str) -> None:
    conn.execute(script.encode())  # several statements: simple query protocol, no parameters


@_step
def c0001_results(conn: Conn) -> None:
    """People, profiles, sessions, answers and the dashboard's summaries, as on a workstation."""
    _run(
        conn,
        f"""
        CREATE TABLE trainees (
            id text PRIMARY KEY,
            name text NOT NULL,
            staff_number text NOT NULL UNIQUE,
            role text NOT NULL CHECK (role IN ('call-handler', 'officer')),
            created_at text NOT NULL,
            workstation_id text NOT NULL,
            unit text NOT NULL DEFAULT '{DEFAULT_UNIT}'
        );
        CREATE INDEX trainees_by_unit ON trainees (unit);
        CREATE TABLE profiles (
            id text PRIMARY KEY,
            trainee_id text NOT NULL REFERENCES trainees (id),
            name text NOT NULL,
            workstation_id text NOT NULL,
            linked_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE quiz_sessions (
            id text PRIMARY KEY,
            trainee_id text NOT NULL REFERENCES trainees (id),
            mode text NOT NULL,
            started_at text NOT NULL,
            started_ts double precision NOT NULL,
            finished_at text,
            workstation_id text NOT NULL
        );
        CREATE INDEX quiz_sessions_by_trainee ON quiz_sessions (trainee_id, started_ts);
        CREATE TABLE answers (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            session_id text NOT NULL,  -- of quiz_sessions and trainees, as `ingest_results`
            trainee_id text NOT NULL,  -- joins them (a foreign key would check each row again)
            scenario_id text NOT NULL,
            scenario_hash text NOT NULL,
            catalogue_edition text NOT NULL,
            scenario_title text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('classify', 'cancellation')),
            topics text NOT NULL,
            expected_decision text NOT NULL,
            decision text NOT NULL,
            crime_groups text NOT NULL,
            answer text NOT NULL,
            score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
            findings text NOT NULL,
            finding_kinds text NOT NULL,
            finding_rules text NOT NULL,
            asked text NOT NULL,
            exam integer NOT NULL CHECK (exam IN (0, 1)),
            shown_at text NOT NULL,
            answered_at text NOT NULL,
            answered_ts double precision NOT NULL,
            seconds_taken double precision NOT NULL,
            workstation_id text NOT NULL,
            bank_hash text,  -- what the answer was last graded under, on its workstation
            malpractice_trap text  -- the HMIC malpractice trap it fell into, if any
        );
        CREATE INDEX answers_by_malpractice ON answers
            (malpractice_trap, scenario_id, trainee_id, answered_ts)
            WHERE malpractice_trap IS NOT NULL;
        CREATE INDEX answers_by_trainee ON answers
            (trainee_id, answered_ts, exam, kind, expected_decision, decision, score);
        CREATE INDEX answers_by_scenario ON answers (scenario_id, trainee_id, answered_ts, score);
        CREATE INDEX answers_by_time ON answers (answered_ts);
        CREATE TABLE answer_topics (
            topic text NOT NULL, answered_ts double precision NOT NULL, seq bigint NOT NULL,
            PRIMARY KEY (topic, answered_ts, seq)
        );
        CREATE TABLE trainee_totals (
            trainee_id text NOT NULL, exam integer NOT NULL, attempts integer NOT NULL,
            score_sum integer NOT NULL, record_n integer NOT NULL, record_k integer NOT NULL,
            exact_k integer NOT NULL, cancel_n integer NOT NULL, cancel_k integer NOT NULL,
            last_answered_at text NOT NULL, last_ts double precision NOT NULL,
            PRIMARY KEY (trainee_id, exam)
        );
        CREATE TABLE trainee_findings (
            trainee_id text NOT NULL, rule text NOT NULL, kind text NOT NULL, n integer NOT NULL,
            PRIMARY KEY (trainee_id, rule, kind)
        );
        CREATE TABLE answer_kinds (
            kind text NOT NULL, answered_ts double precision NOT NULL, seq bigint NOT NULL,
            trainee_id text NOT NULL, n integer NOT NULL, PRIMARY KEY (kind, answered_ts, seq)
        );
        CREATE TABLE answer_rules (
            rule text NOT NULL, answered_ts double precision NOT NULL, seq bigint NOT NULL,
            trainee_id text NOT NULL, n integer NOT NULL, PRIMARY KEY (rule, answered_ts, seq)
        );
        CREATE TABLE answer_groups (
            crime_group text NOT NULL, answered_ts double precision NOT NULL, seq bigint NOT NULL,
            trainee_id text NOT NULL, n integer NOT NULL, perfect integer NOT NULL,
            PRIMARY KEY (crime_group, answered_ts, seq)
        );
        CREATE TABLE trainee_running (
            trainee_id text NOT NULL, answered_ts double precision NOT NULL, seq bigint NOT NULL,
            position integer NOT NULL, exam integer NOT NULL, score integer NOT NULL,
            record_n integer NOT NULL, record_k integer NOT NULL, exact_k integer NOT NULL,
            cancel_n integer NOT NULL, cancel_k integer NOT NULL,
            c_exam integer NOT NULL, c_score integer NOT NULL, c_record_n integer NOT NULL,
            c_record_k integer NOT NULL, c_exact_k integer NOT NULL, c_cancel_n integer NOT NULL,
            c_cancel_k integer NOT NULL,
            PRIMARY KEY (trainee_id, answered_ts, seq)
        );
        CREATE UNIQUE INDEX trainee_running_by_position ON trainee_running (trainee_id, position);
        """,
    )


@_step
def c0002_ingest(conn: Conn) -> None:
    """Staging tables a workstation writes by COPY, and `ingest`, which files a batch."""
    _run(conn, _STAGING + _INGEST_PROFILES + _REBUILD + _INGEST_RESULTS + _INGEST)


@_step
def c0003_access(conn: Conn) -> None:
    """Units granted to supervisors, and row-level security: a supervisor reads their units."""
    tables = ", ".join(_BY_TRAINEE)
    policies = "".join(
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;"
        f"CREATE POLICY by_unit ON {t} FOR SELECT USING (trainee_id IN (SELECT id FROM trainees));"
        for t in _BY_TRAINEE
    )
    _run(
        conn,
        f"""
        CREATE TABLE unit_grants (
            login name NOT NULL, unit text NOT NULL, PRIMARY KEY (login, unit)
        );
        ALTER TABLE unit_grants ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own ON unit_grants FOR SELECT USING (login = current_user);
        ALTER TABLE trainees ENABLE ROW LEVEL SECURITY;
        CREATE POLICY by_unit ON trainees FOR SELECT
            USING (unit IN (SELECT unit FROM unit_grants WHERE login = current_user));
        {policies}
        -- answer_topics has no trainee column: it is keyed by seq, read through answers
        COMMENT ON SCHEMA {SCHEMA} IS 'Crime Recording Trainer central results ({tables})';
        """,
    )


@_step
def c0004_outcome_kinds(conn: Conn) -> None:
    """Answers to disposal reviews and outcome decisions, as on a workstation (m0010)."""
    _run(
        conn,
        """
        ALTER TABLE answers DROP CONSTRAINT answers_kind_check;
        ALTER TABLE answers ADD CONSTRAINT answers_kind_check
            CHECK (kind IN ('classify', 'cancellation', 'disposal-review', 'outcome'));
        """,
    )


@_step
def c0005_grade_history(conn: Conn) -> None:
    """Each regraded answer's earlier grade, as its workstation keeps it (`grade_history` joined
    to its regrade), keyed by that workstation's regrade; filed by `ingest_history`."""
    _run(
        conn,
        """
        CREATE TABLE grade_history (
            answer_id text NOT NULL,
            workstation_id text NOT NULL,  -- the workstation that regraded the answer
            regrade_id bigint NOT NULL,  -- ... and its number for that regrade
            trainee_id text NOT NULL,
            regraded_at text NOT NULL,
            regraded_ts double precision NOT NULL,
            regrade_bank_hash text NOT NULL,  -- the bank and rules the answer was regraded under
            regrade_catalogue_edition text NOT NULL,
            score integer NOT NULL,  -- the grade before that regrade
            findings text NOT NULL,
            expected_decision text NOT NULL,
            crime_groups text NOT NULL,
            scenario_hash text NOT NULL,
            catalogue_edition text NOT NULL,
            bank_hash text,
            PRIMARY KEY (answer_id, workstation_id, regrade_id)
        );
        CREATE INDEX grade_history_by_trainee ON grade_history (trainee_id);
        ALTER TABLE grade_history ENABLE ROW LEVEL SECURITY;
        CREATE POLICY by_unit ON grade_history FOR SELECT
            USING (trainee_id IN (SELECT id FROM trainees));
        CREATE UNLOGGED TABLE stage_grade_history (
            batch uuid NOT NULL, answer_id text NOT NULL, workstation_id text NOT NULL,
            regrade_id bigint NOT NULL, regraded_at text NOT NULL,
            regraded_ts double precision NOT NULL, regrade_bank_hash text NOT NULL,
            regrade_catalogue_edition text NOT NULL, score integer NOT NULL,
            findings text NOT NULL, expected_decision text NOT NULL, crime_groups text NOT NULL,
            scenario_hash text NOT NULL, catalogue_edition text NOT NULL, bank_hash text
        );
        CREATE INDEX stage_grade_history_by_batch ON stage_grade_history (batch);
        -- after ingest_results, in the same transaction: the history of answers it filed (that of
        -- an answer held back waits with it, and is sent again with it)
        CREATE FUNCTION ingest_history(p_batch uuid) RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = trainer, pg_catalog AS $$
        DECLARE
            v_added bigint;
        BEGIN
            INSERT INTO grade_history (answer_id, workstation_id, regrade_id, trainee_id,
                regraded_at, regraded_ts, regrade_bank_hash, regrade_catalogue_edition, score,
                findings, expected_decision, crime_groups, scenario_hash, catalogue_edition,
                bank_hash)
            SELECT s.answer_id, s.workstation_id, s.regrade_id, a.trainee_id, s.regraded_at,
                s.regraded_ts, s.regrade_bank_hash, s.regrade_catalogue_edition, s.score,
                s.findings, s.expected_decision, s.crime_groups, s.scenario_hash,
                s.catalogue_edition, s.bank_hash
            FROM stage_grade_history s JOIN answers a ON a.id = s.answer_id
            WHERE s.batch = p_batch
            ON CONFLICT DO NOTHING;
            GET DIAGNOSTICS v_added = ROW_COUNT;
            DELETE FROM stage_grade_history WHERE batch = p_batch;
            RETURN v_added;
        END $$;
        """,
    )


@_step
def c0006_regrade_topics(conn: Conn) -> None:
    """A regraded answer also takes the topics, title and kind it now copies from its scenario, as
    `trainer regrade` updates them on the workstation (`ingest_results` is otherwise c0002's)."""
    _run(conn, _c0006_ingest_results())


def _c0006_ingest_results() -> str:
    old = "bank_hash = s.bank_hash, malpractice_trap = s.malpractice_trap"
    new = f"{old}, topics = s.topics, scenario_title = s.scenario_title, kind = s.kind"
    script = _INGEST_RESULTS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    assert script.count(old) == 1
    return script.replace(old, new)


@_step
def c0007_running_units(conn: Conn) -> None:
    """Each person's unit on their running sums, and the supervisors' policy there a plain test of
    it against the login's units (one look-up per query): the team table looks the running sums up
    by index, and PostgreSQL costs the former policy's nested sub-select again at every look-up, so
    it hashed the whole table for a supervisor instead. `move_person` keeps the column."""
    old = (
        "coalesce(b.c_cancel_k, 0) + sum(o.ck) OVER w\n"
        "        FROM unnest(v_ids, v_since) AS s (trainee_id, since)"
    )
    new = (
        "coalesce(b.c_cancel_k, 0) + sum(o.ck) OVER w, u.unit\n"
        "        FROM unnest(v_ids, v_since) AS s (trainee_id, since)\n"
        "        JOIN trainees u ON u.id = s.trainee_id"
    )
    ingest = _c0006_ingest_results()
    rebuild = _REBUILD.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    assert ingest.count(old) == rebuild.count(old) == 1
    _run(
        conn,
        f"""
        ALTER TABLE trainee_running ADD COLUMN unit text NOT NULL DEFAULT '{DEFAULT_UNIT}';
        UPDATE trainee_running r SET unit = t.unit FROM trainees t
        WHERE t.id = r.trainee_id AND t.unit <> '{DEFAULT_UNIT}';
        ALTER TABLE trainee_running ALTER COLUMN unit DROP DEFAULT;
        DROP POLICY by_unit ON trainee_running;
        CREATE POLICY by_unit ON trainee_running FOR SELECT USING (
            unit = ANY (ARRAY(SELECT g.unit FROM unit_grants g WHERE g.login = current_user)));
        {ingest.replace(old, new)}
        {rebuild.replace(old, new)}
        """,
    )


FOLD_LOCK_KEY = 0x666F_6C64  # pg_advisory_xact_lock key of `fold_summaries`: "fold"


@_step
def c0008_deferred_summaries(conn: Conn) -> None:
    """A sync files answers only; the dashboard's summaries are brought up to date apart, by
    `fold_summaries`, which every central read path and the end of a sync call. `ingest_results`
    queues each new answer in `pending_summary` and each person it regraded in `pending_people`
    (the same transaction as the answers: a crash before the fold loses nothing, the next call
    folds them). Folds take turns (an advisory lock) and take the people they fold from the syncs
    (the row locks `ingest_results` takes), so a person's answers are never counted twice."""
    _run(
        conn,
        f"""
        CREATE TABLE pending_summary (seq bigint PRIMARY KEY, trainee_id text NOT NULL);
        CREATE TABLE pending_people (trainee_id text PRIMARY KEY);
        ALTER TABLE pending_summary ENABLE ROW LEVEL SECURITY;
        ALTER TABLE pending_people ENABLE ROW LEVEL SECURITY;
        {_C0008_INGEST_RESULTS}
        {_C0008_FOLD}
        """,
    )


@_step
def c0009_temp_tables_last(conn: Conn) -> None:
    """Every function that runs with the schema owner's rights looks up tables in `trainer`, then
    `pg_catalog`, and only then `pg_temp`: PostgreSQL searches a session's temporary tables first
    unless the search path names them, so a workstation login could otherwise create a temporary
    `answer_groups` (say), have `fold_summaries` fill it with other people's results, and read
    them. Functions made by later steps must say `SET search_path = {SAFE_SEARCH_PATH}`."""
    _run(
        conn,
        f"""
        DO $$
        DECLARE
            f regprocedure;
        BEGIN
            FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = '{SCHEMA}' AND p.prosecdef
            LOOP
                EXECUTE format('ALTER FUNCTION %s SET search_path = {SAFE_SEARCH_PATH}', f);
            END LOOP;
        END $$;
        """,
    )


@_step
def c0010_one_pass_filing(conn: Conn) -> None:
    """`ingest_results` files a batch's answers in one pass: new ones inserted, ones regraded on
    their workstation updated by the same statement (`ON CONFLICT DO UPDATE ... WHERE` their grade
    differs), instead of first joining every staged answer with the answers filed to look for
    regrades. What is filed, queued and returned is unchanged.

    A sync stages a batch's answers ahead, on a connection of its own, while the one before is
    filed: `stage_batches` records each batch so staged (committed before its filing), and
    `ingest_results` deletes the record with the batch; batches a stopped sync staged and never
    filed are discarded after a day (the workstation still holds their answers as waiting)."""
    _run(
        conn,
        f"""
        CREATE UNLOGGED TABLE stage_batches (
            batch uuid PRIMARY KEY, staged_at timestamptz NOT NULL DEFAULT now()
        );
        {_C0010_INGEST_RESULTS}
        """,
    )


_BY_TRAINEE = (
    "profiles", "quiz_sessions", "answers", "trainee_totals", "trainee_findings", "answer_kinds",
    "answer_rules", "answer_groups", "trainee_running",
)  # fmt: skip

_STAGING = """
    CREATE UNLOGGED TABLE stage_trainees (
        batch uuid NOT NULL, id text NOT NULL, name text NOT NULL, staff_number text NOT NULL,
        role text NOT NULL, created_at text NOT NULL, workstation_id text NOT NULL,
        unit text NOT NULL
    );
    CREATE INDEX stage_trainees_by_batch ON stage_trainees (batch);
    CREATE UNLOGGED TABLE stage_sessions (
        batch uuid NOT NULL, id text NOT NULL, trainee_id text NOT NULL, mode text NOT NULL,
        started_at text NOT NULL, started_ts double precision NOT NULL, finished_at text,
        workstation_id text NOT NULL
    );
    CREATE INDEX stage_sessions_by_batch ON stage_sessions (batch);
    CREATE UNLOGGED TABLE stage_answers (
        batch uuid NOT NULL, ord bigint NOT NULL, id text NOT NULL, session_id text NOT NULL,
        trainee_id text NOT NULL, scenario_id text NOT NULL, scenario_hash text NOT NULL,
        catalogue_edition text NOT NULL,
        scenario_title text NOT NULL, kind text NOT NULL, topics text NOT NULL,
        expected_decision text NOT NULL, decision text NOT NULL, crime_groups text NOT NULL,
        answer text NOT NULL, score integer NOT NULL, findings text NOT NULL,
        finding_kinds text NOT NULL, finding_rules text NOT NULL, asked text NOT NULL,
        exam integer NOT NULL, shown_at text NOT NULL, answered_at text NOT NULL,
        answered_ts double precision NOT NULL, seconds_taken double precision NOT NULL,
        workstation_id text NOT NULL, bank_hash text, malpractice_trap text
    );
    CREATE INDEX stage_answers_by_batch ON stage_answers (batch);
"""

# A profile joins the person with its staff number; a different name there is refused (someone
# mistyped a number, or two people share one), and the profile's results wait until it is fixed.
_INGEST_PROFILES = """
    CREATE FUNCTION ingest_profiles(p_batch uuid) RETURNS TABLE (profile text, problem text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = trainer, pg_catalog AS $$
    DECLARE
        s stage_trainees;
        person trainees;
    BEGIN
        FOR s IN SELECT * FROM stage_trainees WHERE batch = p_batch ORDER BY staff_number, id LOOP
            INSERT INTO trainees (id, name, staff_number, role, created_at, workstation_id, unit)
            VALUES (s.id, s.name, s.staff_number, s.role, s.created_at, s.workstation_id, s.unit)
            ON CONFLICT (staff_number) DO NOTHING;
            SELECT * INTO person FROM trainees WHERE staff_number = s.staff_number;
            IF lower(regexp_replace(trim(person.name), '\\s+', ' ', 'g'))
                <> lower(regexp_replace(trim(s.name), '\\s+', ' ', 'g')) THEN
                profile := s.id;
                problem := format(
                    'staff number %s is %s here but %s in the central store',
                    s.staff_number, s.name, person.name);
                RETURN NEXT;
                CONTINUE;
            END IF;
            INSERT INTO profiles (id, trainee_id, name, workstation_id)
            VALUES (s.id, person.id, s.name, s.workstation_id)
            ON CONFLICT (id) DO NOTHING;
        END LOOP;
        DELETE FROM stage_trainees WHERE batch = p_batch;
    END $$;
"""

_SHOULD_RECORD = "a.kind = 'classify' AND a.expected_decision = 'crime'"
# The summaries of a set of answers (`src`): the same tables and counts `store.answer_rows` keeps
# on a workstation, as data-modifying CTEs following the one that yields the rows.
_SUMMARIES = f"""
        ), topics AS (
            INSERT INTO answer_topics (topic, answered_ts, seq)
            SELECT v, a.answered_ts, a.seq
            FROM {{src}} a, jsonb_array_elements_text(a.topics::jsonb) v
        ), kinds AS (
            INSERT INTO answer_kinds (kind, answered_ts, seq, trainee_id, n)
            SELECT v, a.answered_ts, a.seq, a.trainee_id, count(*)
            FROM {{src}} a, jsonb_array_elements_text(a.finding_kinds::jsonb) v
            GROUP BY a.seq, a.answered_ts, a.trainee_id, v
        ), rules AS (
            INSERT INTO answer_rules (rule, answered_ts, seq, trainee_id, n)
            SELECT v, a.answered_ts, a.seq, a.trainee_id, count(*)
            FROM {{src}} a, jsonb_array_elements_text(a.finding_rules::jsonb) v
            GROUP BY a.seq, a.answered_ts, a.trainee_id, v
        ), groups AS (
            INSERT INTO answer_groups (crime_group, answered_ts, seq, trainee_id, n, perfect)
            SELECT v, a.answered_ts, a.seq, a.trainee_id, count(*), (a.score = 100)::int
            FROM {{src}} a, jsonb_array_elements_text(a.crime_groups::jsonb) v
            GROUP BY a.seq, a.answered_ts, a.trainee_id, a.score, v
            UNION ALL
            SELECT '(no crime)', a.answered_ts, a.seq, a.trainee_id, 1, (a.score = 100)::int
            FROM {{src}} a WHERE a.crime_groups = '[]'
        ), totals AS (
            INSERT INTO trainee_totals AS t
            SELECT a.trainee_id, a.exam, count(*), sum(a.score),
                count(*) FILTER (WHERE {_SHOULD_RECORD}),
                count(*) FILTER (WHERE {_SHOULD_RECORD} AND a.decision = 'crime'),
                count(*) FILTER (WHERE {_SHOULD_RECORD} AND a.decision = 'crime'
                    AND a.score = 100),
                count(*) FILTER (WHERE a.kind = 'cancellation'),
                count(*) FILTER (WHERE a.kind = 'cancellation' AND a.score = 100),
                (array_agg(a.answered_at ORDER BY a.answered_ts DESC, a.seq DESC))[1],
                max(a.answered_ts)
            FROM {{src}} a GROUP BY a.trainee_id, a.exam
            ON CONFLICT (trainee_id, exam) DO UPDATE SET
                attempts = t.attempts + excluded.attempts,
                score_sum = t.score_sum + excluded.score_sum,
                record_n = t.record_n + excluded.record_n,
                record_k = t.record_k + excluded.record_k,
                exact_k = t.exact_k + excluded.exact_k,
                cancel_n = t.cancel_n + excluded.cancel_n,
                cancel_k = t.cancel_k + excluded.cancel_k,
                last_answered_at = CASE WHEN excluded.last_ts > t.last_ts
                    THEN excluded.last_answered_at ELSE t.last_answered_at END,
                last_ts = greatest(t.last_ts, excluded.last_ts)
        ), findings AS (
            INSERT INTO trainee_findings AS t (trainee_id, rule, kind, n)
            SELECT a.trainee_id, f ->> 'rule', f ->> 'kind', count(*)
            FROM {{src}} a, jsonb_array_elements(a.findings::jsonb) f
            GROUP BY a.trainee_id, f ->> 'rule', f ->> 'kind'
            ON CONFLICT (trainee_id, rule, kind) DO UPDATE SET n = t.n + excluded.n
        )
"""
# Running sums from each person's earliest new answer on (`v_ids`, `v_since`: see answer_rows).
_RUNNING = f"""
        -- running sums from each person's earliest new answer on (see store.answer_rows)
        DELETE FROM trainee_running r USING unnest(v_ids, v_since) AS s (trainee_id, since)
        WHERE r.trainee_id = s.trainee_id AND r.answered_ts >= s.since;
        INSERT INTO trainee_running
        SELECT o.trainee_id, o.answered_ts, o.seq, coalesce(b.position, 0) + row_number() OVER w,
            o.exam, o.score, o.rn, o.rk, o.xk, o.cn, o.ck,
            coalesce(b.c_exam, 0) + sum(o.exam) OVER w,
            coalesce(b.c_score, 0) + sum(o.score) OVER w,
            coalesce(b.c_record_n, 0) + sum(o.rn) OVER w,
            coalesce(b.c_record_k, 0) + sum(o.rk) OVER w,
            coalesce(b.c_exact_k, 0) + sum(o.xk) OVER w,
            coalesce(b.c_cancel_n, 0) + sum(o.cn) OVER w,
            coalesce(b.c_cancel_k, 0) + sum(o.ck) OVER w
        FROM unnest(v_ids, v_since) AS s (trainee_id, since)
        LEFT JOIN LATERAL (
            SELECT position, c_exam, c_score, c_record_n, c_record_k, c_exact_k, c_cancel_n,
                c_cancel_k
            FROM trainee_running r WHERE r.trainee_id = s.trainee_id
            ORDER BY r.answered_ts DESC, r.seq DESC LIMIT 1
        ) AS b ON true
        JOIN LATERAL (
            SELECT a.trainee_id, a.answered_ts, a.seq, a.exam, a.score,
                CASE WHEN {_SHOULD_RECORD} THEN 1 ELSE 0 END AS rn,
                CASE WHEN {_SHOULD_RECORD} AND a.decision = 'crime' THEN 1 ELSE 0 END AS rk,
                CASE WHEN {_SHOULD_RECORD} AND a.decision = 'crime' AND a.score = 100
                    THEN 1 ELSE 0 END AS xk,
                CASE WHEN a.kind = 'cancellation' THEN 1 ELSE 0 END AS cn,
                CASE WHEN a.kind = 'cancellation' AND a.score = 100 THEN 1 ELSE 0 END AS ck
            FROM answers a WHERE a.trainee_id = s.trainee_id AND a.answered_ts >= s.since
        ) AS o ON true
        WINDOW w AS (PARTITION BY o.trainee_id ORDER BY o.answered_ts, o.seq
            ROWS UNBOUNDED PRECEDING);
"""

# The new answers' count, people, and each person's earliest new answer (for the running sums).
_FRESH = """\
        SELECT coalesce(sum(n), 0), coalesce(array_agg(trainee_id), '{{}}'),
            coalesce(array_agg(since), '{{}}')
        INTO {into}, v_ids, v_since
        FROM (SELECT trainee_id, min(answered_ts) AS since, count(*) AS n FROM ins
              GROUP BY trainee_id) AS fresh;
"""

_INGEST_RESULTS = f"""
    CREATE FUNCTION ingest_results(p_batch uuid, OUT sessions bigint, OUT answers bigint,
        OUT held_sessions text[], OUT held text[])
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = trainer, pg_catalog SET work_mem = '64MB'
    AS $$
    DECLARE
        v_ids text[];
        v_since double precision[];
        v_regraded text[];
    BEGIN
        -- the people concerned, locked in one order (NO KEY: the foreign keys of profiles being
        -- linked meanwhile only share them): two workstations filing the same person's
        -- answers at once take turns to renumber their running sums
        PERFORM 1 FROM trainees WHERE id IN (
            SELECT p.trainee_id FROM profiles p WHERE p.id IN (
                SELECT trainee_id FROM stage_sessions WHERE batch = p_batch
                UNION SELECT trainee_id FROM stage_answers WHERE batch = p_batch))
        ORDER BY id FOR NO KEY UPDATE;

        INSERT INTO quiz_sessions AS q
            (id, trainee_id, mode, started_at, started_ts, finished_at, workstation_id)
        SELECT s.id, p.trainee_id, s.mode, s.started_at, s.started_ts, s.finished_at,
            s.workstation_id
        FROM stage_sessions s JOIN profiles p ON p.id = s.trainee_id WHERE s.batch = p_batch
        ON CONFLICT (id) DO UPDATE SET finished_at = coalesce(q.finished_at, excluded.finished_at);
        GET DIAGNOSTICS sessions = ROW_COUNT;
        SELECT coalesce(array_agg(s.id), '{{}}') INTO held_sessions FROM stage_sessions s
        WHERE s.batch = p_batch AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = s.trainee_id);

        SELECT coalesce(array_agg(s.id), '{{}}') INTO held FROM stage_answers s
        WHERE s.batch = p_batch AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = s.trainee_id
            AND EXISTS (SELECT 1 FROM quiz_sessions q WHERE q.id = s.session_id));

        -- answers graded again on their workstation (`trainer regrade`) replace their old grade;
        -- their people's summaries are worked out again below
        WITH changed AS (
            UPDATE answers a SET score = s.score, findings = s.findings,
                finding_kinds = s.finding_kinds, finding_rules = s.finding_rules,
                expected_decision = s.expected_decision, crime_groups = s.crime_groups,
                scenario_hash = s.scenario_hash, catalogue_edition = s.catalogue_edition,
                bank_hash = s.bank_hash, malpractice_trap = s.malpractice_trap
            FROM stage_answers s
            WHERE s.batch = p_batch AND a.id = s.id
                AND (a.score, a.findings, a.expected_decision, a.crime_groups, a.bank_hash)
                    IS DISTINCT FROM
                    (s.score, s.findings, s.expected_decision, s.crime_groups, s.bank_hash)
            RETURNING a.trainee_id
        )
        SELECT coalesce(array_agg(DISTINCT trainee_id), '{{}}') INTO v_regraded FROM changed;

        WITH ins AS (
            INSERT INTO answers (id, session_id, trainee_id, scenario_id, scenario_hash,
                catalogue_edition, scenario_title, kind, topics, expected_decision, decision,
                crime_groups, answer, score, findings, finding_kinds, finding_rules, asked, exam,
                shown_at, answered_at, answered_ts, seconds_taken, workstation_id, bank_hash,
                malpractice_trap)
            SELECT s.id, s.session_id, p.trainee_id, s.scenario_id, s.scenario_hash,
                s.catalogue_edition, s.scenario_title, s.kind, s.topics, s.expected_decision,
                s.decision, s.crime_groups, s.answer, s.score, s.findings, s.finding_kinds,
                s.finding_rules, s.asked, s.exam, s.shown_at, s.answered_at, s.answered_ts,
                s.seconds_taken, s.workstation_id, s.bank_hash, s.malpractice_trap
            FROM stage_answers s JOIN profiles p ON p.id = s.trainee_id
            WHERE s.batch = p_batch
                AND EXISTS (SELECT 1 FROM quiz_sessions q WHERE q.id = s.session_id)
            ORDER BY s.ord
            ON CONFLICT (id) DO NOTHING
            RETURNING *
{_SUMMARIES.format(src="ins")}
{_FRESH.format(into="answers")}
{_RUNNING}
        IF cardinality(v_regraded) > 0 THEN
            PERFORM rebuild_people(v_regraded);
        END IF;
        DELETE FROM stage_sessions WHERE batch = p_batch;
        DELETE FROM stage_answers WHERE batch = p_batch;
    END $$;
"""

_REBUILD = f"""
    CREATE FUNCTION rebuild_people(p_people text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = trainer, pg_catalog SET work_mem = '64MB'
    AS $$
    DECLARE
        v_ids text[] := p_people;
        v_since double precision[];
        v_done bigint;
    BEGIN
        SELECT array_agg('-infinity'::double precision) INTO v_since FROM unnest(p_people);
        DELETE FROM answer_topics WHERE seq IN
            (SELECT seq FROM answers WHERE trainee_id = ANY (p_people));
        DELETE FROM trainee_totals WHERE trainee_id = ANY (p_people);
        DELETE FROM trainee_findings WHERE trainee_id = ANY (p_people);
        DELETE FROM answer_kinds WHERE trainee_id = ANY (p_people);
        DELETE FROM answer_rules WHERE trainee_id = ANY (p_people);
        DELETE FROM answer_groups WHERE trainee_id = ANY (p_people);
        WITH src AS (SELECT * FROM answers WHERE trainee_id = ANY (p_people)
{_SUMMARIES.format(src="src")}
        SELECT count(*) INTO v_done FROM src;
{_RUNNING}
    END $$;
"""

_INGEST = """
    CREATE FUNCTION schema_steps() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = trainer, pg_catalog AS $$
        SELECT step FROM schema_migrations ORDER BY step
    $$;
"""


def schema_of(conn: Conn) -> list[tuple[Any, ...]]:
    """The schema's tables, columns, indexes, functions and policies, for comparing databases."""
    rows: list[tuple[Any, ...]] = []
    rows += conn.execute(
        "SELECT table_name, column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = %s ORDER BY 1, 2",
        [SCHEMA],
    ).fetchall()
    rows += conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY 1", [SCHEMA]
    ).fetchall()
    rows += conn.execute(
        "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s ORDER BY 1",
        [SCHEMA],
    ).fetchall()
    rows += conn.execute(
        "SELECT tablename, policyname, qual FROM pg_policies WHERE schemaname = %s ORDER BY 1, 2",
        [SCHEMA],
    ).fetchall()
    return rows


# Schema step c0008: `ingest_results` files answers and queues them; `fold_summaries` summarises.
_C0007_RUNNING = _RUNNING.replace(
    "coalesce(b.c_cancel_k, 0) + sum(o.ck) OVER w\n"
    "        FROM unnest(v_ids, v_since) AS s (trainee_id, since)",
    "coalesce(b.c_cancel_k, 0) + sum(o.ck) OVER w, u.unit\n"
    "        FROM unnest(v_ids, v_since) AS s (trainee_id, since)\n"
    "        JOIN trainees u ON u.id = s.trainee_id",
)

# c0006's `ingest_results` (as c0007 left it), filing and queueing the answers only: the summaries
# it kept are left to `fold_summaries`.
_C0006_INGEST_RESULTS = _c0006_ingest_results()
_C0008_INGEST_RESULTS = _edited(
    _C0006_INGEST_RESULTS,
    ("ingest_results(p_batch uuid, OUT sessions bigint, OUT answers bigint,\n"
     "        OUT held_sessions text[], OUT held text[])",
     "ingest_results(p_batch uuid, OUT sessions bigint,\n"
     "        OUT answers bigint, OUT held_sessions text[], OUT held text[])"),
    ("        v_ids text[];\n        v_since double precision[];\n", ""),
    ("s.malpractice_trap, topics = s.topics",
     "s.malpractice_trap,\n                topics = s.topics"),
    ("two workstations filing the same person's\n",
     "`fold_summaries` takes the same locks, so it folds\n"),
    ("-- answers at once take turns to renumber their running sums\n",
     "-- a person's answers either before this batch or with all of it\n"),
    ("        -- their people's summaries are worked out again below\n",
     "        -- their people's summaries are worked out again by the next fold\n"),
    ("SELECT coalesce(array_agg(DISTINCT trainee_id), '{}') INTO v_regraded FROM changed;\n",
     "INSERT INTO pending_people (trainee_id) SELECT DISTINCT trainee_id FROM changed\n"
     "        ON CONFLICT DO NOTHING;\n"),
    (_between(_C0006_INGEST_RESULTS, "            RETURNING *\n",
              "        DELETE FROM stage_sessions WHERE batch = p_batch;"),
     "            RETURNING seq, trainee_id\n"
     "        ), queued AS (\n"
     "            INSERT INTO pending_summary (seq, trainee_id) SELECT seq, trainee_id FROM ins\n"
     "        )\n"
     "        SELECT count(*) INTO answers FROM ins;\n\n"),
)  # fmt: skip

# Step c0010: c0008's `ingest_results` with the answers filed by one upsert, and the batch's record
# in `stage_batches` (and any stale ones) cleared with it.
_C0010_INGEST_RESULTS = _edited(
    _C0008_INGEST_RESULTS,
    ("SET search_path = trainer, pg_catalog SET", f"SET search_path = {SAFE_SEARCH_PATH} SET"),
    ("    DECLARE\n        v_regraded text[];\n    BEGIN", "    BEGIN"),
    (_between(_C0008_INGEST_RESULTS, "        -- answers graded again on their workstation",
              "        WITH ins AS (\n") + "        WITH ins AS (\n",
     """\
        -- new answers inserted; an answer graded again on its workstation (`trainer regrade`)
        -- replaces its old grade, and its person's summaries are worked out again by the next
        -- fold; one sent before with the same grade is left as it is
        WITH filed AS (
"""),
    ("            INSERT INTO answers (id,", "            INSERT INTO answers AS a (id,"),
    ("""            ON CONFLICT (id) DO NOTHING
            RETURNING seq, trainee_id
        ), queued AS (
            INSERT INTO pending_summary (seq, trainee_id) SELECT seq, trainee_id FROM ins
        )
        SELECT count(*) INTO answers FROM ins;""",
     """            ON CONFLICT (id) DO UPDATE SET score = excluded.score,
                findings = excluded.findings, finding_kinds = excluded.finding_kinds,
                finding_rules = excluded.finding_rules,
                expected_decision = excluded.expected_decision,
                crime_groups = excluded.crime_groups, scenario_hash = excluded.scenario_hash,
                catalogue_edition = excluded.catalogue_edition, bank_hash = excluded.bank_hash,
                malpractice_trap = excluded.malpractice_trap, topics = excluded.topics,
                scenario_title = excluded.scenario_title, kind = excluded.kind
            WHERE (a.score, a.findings, a.expected_decision, a.crime_groups, a.bank_hash)
                IS DISTINCT FROM (excluded.score, excluded.findings, excluded.expected_decision,
                    excluded.crime_groups, excluded.bank_hash)
            RETURNING a.seq, a.trainee_id, a.xmax = 0 AS fresh  -- xmax 0: inserted, not updated
        ), queued AS (
            INSERT INTO pending_summary (seq, trainee_id)
            SELECT seq, trainee_id FROM filed WHERE fresh
        ), regraded AS (
            INSERT INTO pending_people (trainee_id)
            SELECT DISTINCT trainee_id FROM filed WHERE NOT fresh
            ON CONFLICT DO NOTHING
        )
        SELECT count(*) FILTER (WHERE fresh) INTO answers FROM filed;"""),
    ("        DELETE FROM stage_answers WHERE batch = p_batch;\n    END $$;",
     """        DELETE FROM stage_answers WHERE batch = p_batch;
        DELETE FROM stage_batches WHERE batch = p_batch;
        IF EXISTS (SELECT 1 FROM stage_batches WHERE staged_at < now() - interval '1 day') THEN
            WITH stale AS (
                DELETE FROM stage_batches WHERE staged_at < now() - interval '1 day'
                RETURNING batch
            )
            DELETE FROM stage_answers WHERE batch IN (SELECT batch FROM stale);
        END IF;
    END $$;"""),
)  # fmt: skip

_C0008_FOLD = f"""
    CREATE FUNCTION fold_summaries(p_wait boolean DEFAULT true) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = trainer, pg_catalog SET work_mem = '64MB'
    SET jit = off  -- the set-returning JSON functions' estimates would have it compile for ~1 s
    AS $$
    DECLARE
        v_people text[];
        v_rebuild text[];
        v_seqs bigint[];
        v_ids text[];
        v_since double precision[];
        v_done bigint;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pending_summary)
            AND NOT EXISTS (SELECT 1 FROM pending_people) THEN
            RETURN 0;  -- the usual case for a read: one index probe each, no lock
        END IF;
        -- folds take turns; one that need not wait (a sync's) leaves its answers to the fold
        -- running, or to the next read, rather than queue behind it
        IF p_wait THEN
            PERFORM pg_advisory_xact_lock({FOLD_LOCK_KEY});
        ELSIF NOT pg_try_advisory_xact_lock({FOLD_LOCK_KEY}) THEN
            RETURN 0;
        END IF;
        -- the people waiting, locked as `ingest_results` locks them: a sync filing one of them
        -- has committed before this goes on (and its answers are seen below), or waits for it
        SELECT coalesce(array_agg(id), '{{}}') INTO v_people FROM (
            SELECT trainee_id AS id FROM pending_summary
            UNION SELECT trainee_id FROM pending_people) AS w;
        PERFORM 1 FROM trainees WHERE id IN (SELECT unnest(v_people))
        ORDER BY id FOR NO KEY UPDATE;

        -- people with regraded answers: every summary of theirs worked out again
        WITH taken AS (
            DELETE FROM pending_people WHERE trainee_id = ANY (v_people) RETURNING trainee_id
        )
        SELECT coalesce(array_agg(trainee_id), '{{}}') INTO v_rebuild FROM taken;
        IF cardinality(v_rebuild) > 0 THEN
            PERFORM rebuild_people(v_rebuild);
        END IF;

        -- the others: their new answers added to the summaries (looked up by an array: its
        -- length tells the planner whether an index or a scan of the answers is cheaper)
        WITH taken AS (
            DELETE FROM pending_summary WHERE trainee_id IN (SELECT unnest(v_people))
            RETURNING seq, trainee_id
        )
        SELECT coalesce(array_agg(seq), '{{}}') INTO v_seqs FROM taken
        WHERE cardinality(v_rebuild) = 0 OR trainee_id <> ALL (v_rebuild);
        WITH ins AS (
            SELECT * FROM answers WHERE seq = ANY (v_seqs)
{_SUMMARIES.format(src="ins")}
{_FRESH.format(into="v_done")}{_C0007_RUNNING}
        RETURN v_done;
    END $$;
"""
