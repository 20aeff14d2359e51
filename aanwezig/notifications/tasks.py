"""Background tasks of the outbox. Tasks take primary keys and reload the row."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_message_task(message_id: int) -> str:
    """Deliver one outbox row (a no-op when it is not due or another worker has it)."""
    from aanwezig.notifications.delivery import deliver

    return deliver(message_id)
