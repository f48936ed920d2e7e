"""Screenshots of the supervisor dashboard for the README, against the real scenario bank.

Seeds a throwaway database with a plausible team (synthetic answers, graded by the real grader),
opens the dashboard offscreen and saves each tab to assets/screenshots/dashboard-*.png.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/screenshots_dashboard.py [OUT_DIR [WxH]]

(`/tmp/shots 1024x700` checks the smallest size without touching the README's pictures.)
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.core import paths  # noqa: E402
from trainer.core.content.catalogue import Catalogue, load_catalogue  # noqa: E402
from trainer.core.content.models import AUTHORITIES, Answer, AnsweredCrime, Scenario  # noqa: E402
from trainer.core.content.scenarios import Library, LoadedScenario, load_library  # noqa: E402
from trainer.core.content.validation import validate  # noqa: E402
from trainer.core.grading.grade import grade  # noqa: E402
from trainer.core.store.records import AnswerRecord, now  # noqa: E402
from trainer.core.store.sqlite import Store, open_store  # noqa: E402

OUT = ROOT / "assets" / "screenshots"
SIZE = (1180, 780)
TEAM = (
    ("Amira Haddad", "CH1041", "call-handler", 0.88),
    ("Ben Okafor", "CH1057", "call-handler", 0.62),
    ("Chloe Pritchard", "CH1063", "call-handler", 0.74),
    ("Dylan Mercer", "CH1078", "call-handler", 0.55),
    ("Erin Walsh", "CH1082", "call-handler", 0.81),
    ("Farid Rahman", "CH1090", "call-handler", 0.69),
    ("Grace Liu", "PC2214", "officer", 0.92),
    ("Harry Dunmore", "PC2231", "officer", 0.58),
    ("Isla Fenwick", "PC2246", "officer", 0.77),
    ("Jonah Reilly", "PC2250", "officer", 0.66),
    ("Kerry Adebayo", "PC2268", "officer", 0.84),
    ("Liam Thorne", "PC2275", "officer", 0.49),
    ("Maya Sandhu", "PC2283", "officer", 0.71),
)


def wrong_answer(scenario: Scenario, rng: random.Random, catalogue: Catalogue) -> Answer:
    """A plausible mistake for this scenario, of the kinds trainees really make."""
    e = scenario.expected
    if scenario.kind == "disposal-review":  # approving what needs authority, or the wrong one
        if e.decision == "escalate" and rng.random() < 0.5:
            other = rng.choice([a for a in AUTHORITIES if a != e.authority])
            return Answer(decision="escalate", authority=other)
        return Answer(decision="approve" if e.decision != "approve" else "refuse")
    if scenario.kind == "outcome":
        return Answer(
            decision=rng.choice([o.code for o in catalogue.outcome_types if o.code != e.decision])
        )
    crimes = [AnsweredCrime(offence=c.offence, count=c.count) for c in e.crimes]
    flags = list(e.flags)
    base: dict[str, object] = {
        "decision": e.decision,
        "incident_code": e.incident_code,
        "cancellation_reason": e.cancellation_reason,
        "refer_to": e.refer_to,
    }
    if e.decision == "crime":
        mistake = rng.choice(("downgrade", "reclassify", "reclassify", "miscount", "flag"))
        if mistake == "downgrade" or not crimes:
            return Answer(decision="incident", incident_code="N100")
        first = crimes[0]
        if mistake == "reclassify":
            group = catalogue.group_of(first.offence)
            others = [
                o.code for o in catalogue.offences if o.group == group and o.code != first.offence
            ]
            if others:
                crimes[0] = AnsweredCrime(offence=rng.choice(others), count=first.count)
        elif mistake == "miscount":
            crimes[0] = AnsweredCrime(offence=first.offence, count=first.count + 1)
        elif flags:
            flags.pop()
        else:
            flags.append("domestic-abuse")
        return validate(Answer, {**base, "crimes": crimes, "flags": flags})
    if e.decision in ("incident", "refer"):
        offence = rng.choice(catalogue.offences).code
        return Answer(decision="crime", crimes=(AnsweredCrime(offence=offence),))
    if e.decision == "retain":
        return Answer(decision="cancel", cancellation_reason=rng.choice(("C1", "C2", "C4")))
    return Answer(decision="retain")


def right_answer(scenario: Scenario) -> Answer:
    e = scenario.expected
    return Answer(
        decision=e.decision,
        crimes=tuple(AnsweredCrime(offence=c.offence, count=c.count) for c in e.crimes),
        flags=e.flags,
        incident_code=e.incident_code,
        cancellation_reason=e.cancellation_reason,
        refer_to=e.refer_to,
        authority=e.authority,
    )


def seed_demo(store: Store, library: Library, catalogue: Catalogue, seed: int = 2026) -> None:
    """Six weeks of practice by a team of thirteen, then a shared exam with one bad key in it."""
    rng = random.Random(seed)
    bank = library.scenarios
    both = [s for s in bank if {"call-handler", "officer"} <= set(s.scenario.audience)]
    exam_set = rng.sample(both, min(len(both), 16))
    bad_key = exam_set[0].scenario.id
    end = now().replace(hour=17, minute=0, second=0, microsecond=0)
    for name, staff, role, ability in TEAM:
        trainee = store.create_trainee(name, staff, role)
        mine = [s for s in bank if role in s.scenario.audience]
        days = sorted(rng.sample(range(42), rng.randint(5, 10)))
        for n, day in enumerate(days):
            mode = "exam" if n == len(days) - 1 else "practice"
            session = store.start_session(trainee.id, mode)
            at = end - timedelta(days=41 - day, hours=rng.randint(0, 7))
            learned = ability + 0.12 * (n / max(1, len(days) - 1))  # they improve with practice
            records = []
            exam = n == len(days) - 1
            chosen = exam_set if exam else rng.sample(mine, min(len(mine), rng.randint(6, 14)))
            for loaded in chosen:
                at += timedelta(minutes=rng.randint(2, 6))
                bad = loaded.scenario.id == bad_key
                records.append(
                    answer(trainee.id, session, loaded, learned, at, rng, catalogue, bad, exam)
                )
            store.record_answers(records)


def answer(
    trainee_id: str,
    session: str,
    loaded: LoadedScenario,
    ability: float,
    at: datetime,
    rng: random.Random,
    catalogue: Catalogue,
    bad: bool,
    exam: bool,
) -> AnswerRecord:
    scenario = loaded.scenario
    p_right = (1.05 - ability) if bad else ability - 0.07 * (scenario.difficulty - 1)
    given = (
        right_answer(scenario) if rng.random() < p_right else wrong_answer(scenario, rng, catalogue)
    )
    result = grade(scenario, given, catalogue)
    shown = at - timedelta(seconds=rng.randint(40, 280))
    return AnswerRecord.build(
        trainee_id, session, loaded, given, result, shown, at, (), exam, catalogue
    )


def grab_all(
    store: Store,
    library: Library,
    catalogue: Catalogue,
    data_dir: Path,
    out: Path = OUT,
    size: tuple[int, int] = SIZE,
) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from trainer.core.store.accounts import create_supervisor, sign_in
    from trainer.ui.context import AppContext
    from trainer.ui.dashboard.window import DashboardWindow

    app = QApplication.instance() or QApplication([])
    create_supervisor(store, "sgt.morgan", "correct horse battery staple")
    create_supervisor(store, "insp.khan", "tea break at the control room")
    sign_in(store, "sgt.morgan", "correct horse batery staple")  # a typo, logged
    sign_in(store, "sgt.morgan", "correct horse battery staple")
    context = AppContext(store=store, catalogue=catalogue, data_dir=data_dir, library=library)
    window = DashboardWindow(context, "sgt.morgan")
    window.resize(*size)
    window.show()
    out.mkdir(parents=True, exist_ok=True)
    saved = []

    def save(name: str) -> None:
        for _ in range(3):
            app.processEvents()
        while window.loading:  # the figures load on threads of their own
            app.processEvents()
        path = out / f"dashboard-{name}.png"
        window.grab().save(str(path))
        saved.append(path)

    window.tabs.setCurrentWidget(window.team)
    save("team")
    window.tabs.setCurrentWidget(window.rules)
    window.rules.select_bar(0)
    save("rules")
    window.rules.breakdown.setCurrentIndex(1)
    window.rules.select_bar(0)
    save("rule-cards")
    window.tabs.setCurrentWidget(window.trainee)
    window.trainee.choose(store.trainees()[1].id)
    save("trainee")
    window.tabs.setCurrentWidget(window.items)
    save("scenarios")
    window.tabs.setCurrentWidget(window.export)
    save("export")
    window.tabs.setCurrentWidget(window.accounts)
    save("supervisors")
    window.close()
    saved.append(grab_sign_in(store, out))
    return saved


def grab_sign_in(store: Store, out: Path) -> Path:
    """The sign-in dialog after three wrong passwords: the next try has to wait."""
    from trainer.ui.dashboard.dialogs import SignInDialog

    dialog = SignInDialog(store)
    dialog.username.setText("sgt.morgan")
    for _ in range(3):
        dialog.password.setText("not the password")
        dialog.submit()
    dialog.show()
    path = out / "dashboard-sign-in.png"
    dialog.grab().save(str(path))
    dialog.timer.stop()
    dialog.close()
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    width, height = (int(v) for v in argv[1].split("x")) if len(argv) > 1 else SIZE
    catalogue = load_catalogue()
    library = load_library([paths.scenarios_dir()], catalogue)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder))
        try:
            seed_demo(store, library, catalogue)
            for path in grab_all(store, library, catalogue, Path(folder), out, (width, height)):
                print(path)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
