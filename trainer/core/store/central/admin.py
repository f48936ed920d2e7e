"""Setting up a central store: its schema, its two group roles, and supervisors' units.

`trainer_workstation` may stage results and call `ingest` (and read nothing); `trainer_supervisor`
reads, through row-level security, the people of the units granted to the login. Both may call
`fold_summaries`, which brings the summaries up to the answers filed (and returns only a count).
Logins are the force's own PostgreSQL roles, made members of one of these; their passwords are
PostgreSQL's.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.core.errors import TrainerError
from trainer.core.store.central.connection import SCHEMA, connect, guard
from trainer.core.store.central.schema import migrate
from trainer.core.store.records import check_slug

WORKSTATION_ROLE = "trainer_workstation"
SUPERVISOR_ROLE = "trainer_supervisor"
_READ = (
    "trainees", "profiles", "quiz_sessions", "answers", "answer_topics", "trainee_totals",
    "trainee_findings", "answer_kinds", "answer_rules", "answer_groups", "trainee_running",
    "unit_grants", "grade_history",
)  # fmt: skip
_STAGE = (
    "stage_trainees", "stage_sessions", "stage_answers", "stage_grade_history", "stage_batches",
)  # fmt: skip
_INGEST = (
    "ingest_profiles(uuid)", "ingest_results(uuid)", "ingest_history(uuid)",
    "fold_summaries(boolean)",
)  # fmt: skip


@dataclass(frozen=True)
class InitReport:
    applied: list[str]
    roles_created: list[str]


def init_central(url: str) -> InitReport:
    """Create or migrate the schema, create the roles if missing and grant them their rights."""
    with connect(url) as conn, guard(url, "setting up the schema"):
        created = []
        for role in (WORKSTATION_ROLE, SUPERVISOR_ROLE):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            if not exists:
                conn.execute(f"CREATE ROLE {role} NOLOGIN".encode())
                created.append(role)
        conn.commit()
        applied = migrate(conn)
        with conn.transaction():
            _grant(conn)
    return InitReport(applied, created)


def _grant(conn: object) -> None:
    import psycopg

    assert isinstance(conn, psycopg.Connection)
    functions = ", ".join(f"{SCHEMA}.{f}" for f in (*_INGEST, "schema_steps()"))
    statements = [
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {SCHEMA} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {WORKSTATION_ROLE}, {SUPERVISOR_ROLE}",
        f"GRANT INSERT ON {', '.join(f'{SCHEMA}.{t}' for t in _STAGE)} TO {WORKSTATION_ROLE}",
        f"GRANT EXECUTE ON FUNCTION {functions} TO {WORKSTATION_ROLE}",
        f"GRANT SELECT ON {', '.join(f'{SCHEMA}.{t}' for t in _READ)} TO {SUPERVISOR_ROLE}",
        f"GRANT EXECUTE ON FUNCTION {SCHEMA}.schema_steps(), {SCHEMA}.fold_summaries(boolean) "
        f"TO {SUPERVISOR_ROLE}",
    ]
    for statement in statements:
        conn.execute(statement.encode())


def grant_units(url: str, login: str, units: list[str]) -> None:
    """Make `login` a supervisor reading the people of `units` (added to any granted before)."""
    for unit in units:
        check_slug(unit, "unit")
    with connect(url) as conn, guard(url, f"granting {login}"):
        _need_login(conn, login)
        conn.execute(f'GRANT {SUPERVISOR_ROLE} TO "{login}"'.encode())
        for unit in units:
            conn.execute(
                "INSERT INTO unit_grants (login, unit) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [login, unit],
            )
        conn.commit()


def grant_workstation(url: str, login: str) -> None:
    """Let `login` push a workstation's results (and read nothing)."""
    with connect(url) as conn, guard(url, f"granting {login}"):
        _need_login(conn, login)
        conn.execute(f'GRANT {WORKSTATION_ROLE} TO "{login}"'.encode())
        conn.commit()


def move_person(url: str, staff_number: str, unit: str) -> str:
    """Put the person with this staff number in `unit`; returns their name."""
    check_slug(unit, "unit")
    with connect(url) as conn, guard(url, f"moving {staff_number}"):
        row = conn.execute(
            "UPDATE trainees SET unit = %s WHERE staff_number = %s RETURNING name, id",
            [unit, staff_number],
        ).fetchone()
        if row is None:
            raise TrainerError(f"staff number: nobody has {staff_number!r} in the central store")
        # the unit is kept on the running sums too (schema step c0007); the row lock taken above
        # makes a sync filing this person's answers meanwhile wait for this move
        conn.execute("UPDATE trainee_running SET unit = %s WHERE trainee_id = %s", [unit, row[1]])
        conn.commit()
        return str(row[0])


def _need_login(conn: object, login: str) -> None:
    import psycopg

    assert isinstance(conn, psycopg.Connection)
    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [login]).fetchone():
        raise TrainerError(
            f"login: PostgreSQL has no role {login!r}; create it first "
            f"(CREATE ROLE \"{login}\" LOGIN PASSWORD '...')"
        )
