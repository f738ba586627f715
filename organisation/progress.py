"""Progress of long work, published in the shared cache so a page can poll it while the work's own
transaction is still open (DESIGN.md: "Long tasks and progress")."""

from django.core.cache import cache


class TaskProgress:
    """Progress for one kind of work, keyed by the id of the thing being worked on."""

    def __init__(self, kind: str, timeout: int = 3600):
        self.kind, self.timeout = kind, timeout

    def _key(self, object_id) -> str:
        return f"{self.kind}:{object_id}:progress"

    def set(self, object_id, *, stage: str, done: int, total: int) -> None:
        cache.set(self._key(object_id), {"stage": stage, "done": done, "total": total}, timeout=self.timeout)

    def get(self, object_id) -> dict | None:
        return cache.get(self._key(object_id))
