"""Run the Procfile (web, worker, beat) for `make run` with honcho, and stop cleanly on Ctrl-C.

honcho 2.0 alone makes Ctrl-C look like a failure:
- it gives processes 5 s between SIGTERM and SIGKILL (`KILL_WAIT`, no option to change it), and an
  idle Celery worker on the file-system broker took 5-9 s for its warm shutdown here (it notices the
  signal between 2 s polls, then closes its pool), so it was SIGKILLed;
- it sends SIGTERM to each process's whole group, so the worker's pool processes died on their own
  ("ForkPoolWorker-1 exited with signal 15 (SIGTERM)", logged as errors) instead of being stopped by
  the worker, and every process reported rc=-15;
- it exits 130 after Ctrl-C even when everything stopped as it should.

So: up to 30 s of grace, SIGTERM to each process itself
(the Procfile lines `exec`, so that is gunicorn's master, the worker's main process and beat, which stop
their own children), and exit status 0 when Ctrl-C stopped everything without a SIGKILL.
"""

import contextlib
import os
import signal
import sys

from honcho import command, manager
from honcho.compat import ProcessManager

GRACE_SECONDS = 30
INTERRUPTED = {130, 143}  # honcho's exit status after SIGINT, SIGTERM


class SignalProcessOnly(ProcessManager):
    def terminate(self, pid):
        with contextlib.suppress(ProcessLookupError):  # it has already stopped
            os.kill(pid, signal.SIGTERM)


class Manager(manager.Manager):
    forced = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._procmgr = SignalProcessOnly()

    def kill(self):
        self.forced = True
        super().kill()


def main() -> int:
    manager.KILL_WAIT = GRACE_SECONDS  # honcho reads it on every pass of its loop
    made = []

    def make_manager(*args, **kwargs):
        made.append(Manager(*args, **kwargs))
        return made[-1]

    command.Manager = make_manager
    try:
        command.main(["start", *sys.argv[1:]])
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else 1
    else:
        status = 0
    if status in INTERRUPTED and made and not made[0].forced:
        print("Tandem stopped.", flush=True)
        return 0
    return status


if __name__ == "__main__":
    sys.exit(main())
