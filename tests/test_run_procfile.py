"""scripts/run_procfile.py (what `make run` starts): Ctrl-C stops every process cleanly and exits 0.

Real processes and real signals: a Procfile whose program needs longer than honcho's own 5 s to stop
(as the Celery worker does) and has a child of its own that it, not honcho, must stop.
"""

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLOW_TO_STOP = 6.5  # seconds: more than honcho's fixed 5 s before SIGKILL

PROGRAM = textwrap.dedent(f"""
    import signal, subprocess, sys, time
    marker = sys.argv[1]
    # Its own child, which records a SIGTERM sent to it directly (honcho signals whole process groups).
    child = subprocess.Popen([sys.executable, "-c",
        "import signal, time, sys\\n"
        "def term(*a): open(sys.argv[1], 'w').write('child got SIGTERM'); sys.exit(0)\\n"
        "signal.signal(signal.SIGTERM, term)\\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\\n"
        "time.sleep(120)", marker])
    stopping = []
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print("ready", flush=True)
    while not stopping:
        time.sleep(0.05)
    time.sleep({SLOW_TO_STOP})  # a warm shutdown
    child.kill()
    child.wait()
    print("stopped cleanly", flush=True)
""")


def start(tmp_path, procfile: str) -> subprocess.Popen:
    (tmp_path / "program.py").write_text(PROGRAM)
    (tmp_path / "Procfile").write_text(procfile)
    return subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run_procfile.py"), "-f", str(tmp_path / "Procfile"),
                             "--no-colour"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def wait_for(process: subprocess.Popen, text: str, seen: list[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"{text!r} never appeared:\n{''.join(seen)}")


def test_ctrl_c_waits_for_a_slow_warm_shutdown_and_exits_0(tmp_path):
    marker = tmp_path / "child-signalled"
    process = start(tmp_path, f"slow: exec {sys.executable} program.py {marker}\n"
                              f"quick: exec {sys.executable} -c 'import time; time.sleep(120)'\n")
    seen = []
    wait_for(process, "ready", seen)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)  # what Ctrl-C delivers (the Makefile gives this process group the terminal)
    out, _ = process.communicate(timeout=60)
    out = "".join(seen) + out
    assert process.returncode == 0, out
    assert "stopped cleanly" in out and "slow.1 stopped (rc=0)" in out, out
    assert "SIGKILL" not in out, out
    assert not marker.exists(), "the program's own child was signalled by the runner, not by the program"
    assert "Tandem stopped." in out


def test_a_process_that_fails_is_a_failure(tmp_path):
    process = start(tmp_path, f"broken: exec {sys.executable} -c 'import sys; sys.exit(3)'\n"
                              f"quick: exec {sys.executable} -c 'import time; time.sleep(120)'\n")
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 3, out
    assert "Tandem stopped." not in out
