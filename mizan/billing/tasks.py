"""Billing's background work: the periodic scans every worker's housekeeping thread runs.

- `billing.recurring_invoices` (every 5 minutes): generate the invoices of recurring schedules
  whose next date has come (`services.recurring.recurring_invoices_generate`: one invoice per
  period, however many workers run the scan at the same time);
- `billing.payment_reminders` (every hour): queue the payment reminders whose day has come
  (`services.reminders.payment_reminders_send`: each step once per invoice).

The tasks they queue live beside their services (as `services.invoices.invoice_documents_render`
does): the e-mails are sent by `services.reminders.invoice_email_deliver`, queued on commit.
"""

from __future__ import annotations

from mizan.core.background import register_periodic

RECURRING_EVERY_SECONDS = 5 * 60
REMINDERS_EVERY_SECONDS = 60 * 60


def register_billing_periodic_jobs() -> None:
    """Called from BillingConfig.ready()."""
    from mizan.billing.services.recurring import recurring_invoices_generate
    from mizan.billing.services.reminders import payment_reminders_send

    register_periodic("billing.recurring_invoices", RECURRING_EVERY_SECONDS, recurring_invoices_generate)
    register_periodic("billing.payment_reminders", REMINDERS_EVERY_SECONDS, payment_reminders_send)
