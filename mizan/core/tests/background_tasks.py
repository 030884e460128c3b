"""Tasks used only by the background-work tests (module level, so workers can import them)."""

from __future__ import annotations

import time

from mizan.core.background import mizan_task, once
from mizan.core.models import Notification


@mizan_task
def demo_effect(org_id: int, user_id: int, n: int, sleep_before: float = 0.0, sleep_after: float = 0.0) -> int:
    """Record effect number `n` once (a Notification "demo-<n>"), sleeping around it like real work."""
    time.sleep(sleep_before)
    with once(f"demo:{n}") as first_time:
        if first_time:
            Notification.objects.create(organization_id=org_id, user_id=user_id, message=f"demo-{n}")
    time.sleep(sleep_after)
    return n


@mizan_task(max_attempts=2)
def demo_failure(message: str) -> None:
    raise RuntimeError(message)
