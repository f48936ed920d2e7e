"""A quiz killed mid-answer (SIGKILL, a real process) resumes in a new process with its order,
position, totals, half-filled answer and questions asked; at most the change in flight is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHILD = "tests.core.quiz_kill_child"
KILLS = 3


def _child(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", CHILD, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("seed", range(KILLS))
def test_a_quiz_killed_mid_answer_resumes_with_everything(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    player = _child("play", str(tmp_path), str(seed))
    assert player.stdout is not None
    answered = player.stdout.readline()
    assert answered.startswith("answered "), answered
    before = json.loads(answered.removeprefix("answered "))
    last = -1
    wanted = rng.randrange(1, 40)  # kill only after the child has kept some changes
    while last < wanted:
        line = player.stdout.readline()
        assert line.startswith("draft "), line
        last = int(line.split()[1])
    player.send_signal(signal.SIGKILL)
    assert player.wait(timeout=30) == -signal.SIGKILL
    player.stdout.close()

    resumer = _child("resume", str(tmp_path))
    out, _ = resumer.communicate(timeout=60)
    assert resumer.returncode == 0
    after = json.loads(out)
    assert after["quiz"] == before  # the order, the results, what comes round again
    assert (after["number"], after["total"]) == (2, 3)
    assert after["current"] == before["queue"][0]
    assert after["draft_count"] >= last and after["draft_matches"]  # nothing acknowledged lost
    assert after["asked"] == ["Was anything taken?"]
    assert after["sessions"] == [after["session"]]
