"""Re-planning after the services that change a plan's inputs (explicit calls, no signals).

A service calls ``replan_soon(family_id, reason)`` inside its transaction; after the commit the
family is re-planned once, however many calls the transaction made, with every reason recorded
on the stored plan. Nothing is kept outside the transaction's own commit hooks, so a rollback
forgets the request with the change. The work runs as a Celery task (eager in the embedded
default), so a failure to plan never undoes the change that asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction


@dataclass
class _Replan:
    family_id: int
    reasons: list[str] = field(default_factory=list)
    started: bool = False

    def run(self) -> None:
        from kincare.planning.tasks import family_replan_task

        self.started = True
        family_replan_task.delay(self.family_id, ",".join(self.reasons))


def replan_soon(family_id: int, reason: str) -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            pending = getattr(callback, "__self__", None)
            if isinstance(pending, _Replan) and pending.family_id == family_id and not pending.started:
                if reason not in pending.reasons:
                    pending.reasons.append(reason)
                return
    transaction.on_commit(_Replan(int(family_id), [reason]).run, robust=True)
