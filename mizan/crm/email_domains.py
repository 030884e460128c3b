"""E-mail domains: free providers say nothing about a person's company; business domains do."""

from __future__ import annotations

#: Public mailbox providers common in the region and worldwide (lower case).
FREE_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "outlook.com",
        "outlook.sa",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "protonmail.com",
        "proton.me",
        "mail.com",
        "gmx.com",
        "yandex.com",
        "zoho.com",
    }
)


def email_domain(email: str | None) -> str:
    """The lower-case domain of an address ("" when there is none)."""
    _local, at, domain = (email or "").strip().rpartition("@")
    return domain.lower() if at else ""


def is_free_email_domain(email_or_domain: str | None) -> bool:
    domain = email_domain(email_or_domain) if "@" in (email_or_domain or "") else (email_or_domain or "").lower()
    return domain in FREE_EMAIL_DOMAINS
