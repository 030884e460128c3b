"""Demo data for a first look at Mizan: three organizations, a member of every role, invitations.

Everything is created through the services (organization_create, invitation_create/accept,
organization_update, ...) so the audit trail and the side effects are those of real use. The
data is created once: when the demo owner already exists, nothing is touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse

from mizan.core.models import Membership, Organization, User
from mizan.core.roles import Role

DEMO_PASSWORD = "mizan-demo-2026"
DEMO_DOMAIN = "demo.mizan.local"
OWNER_EMAIL = f"owner@{DEMO_DOMAIN}"
SAUDI_VAT_NUMBER = "310122393500003"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    language: str
    role: str


#: The Saudi organization's team: one member of every role (the owner first).
SAUDI_TEAM = [
    DemoPerson(OWNER_EMAIL, "عبدالله بن فهد الحربي", "ar", Role.OWNER),
    DemoPerson(f"admin@{DEMO_DOMAIN}", "نورة سعد القحطاني", "ar", Role.ADMIN),
    DemoPerson(f"sales@{DEMO_DOMAIN}", "فيصل ناصر العتيبي", "ar", Role.SALES),
    DemoPerson(f"pm@{DEMO_DOMAIN}", "Omar Haddad", "en", Role.PROJECT_MANAGER),
    DemoPerson(f"accountant@{DEMO_DOMAIN}", "Priya Raman", "en", Role.ACCOUNTANT),
    DemoPerson(f"employee@{DEMO_DOMAIN}", "ريم خالد الدوسري", "ar", Role.EMPLOYEE),
]
EGYPT_TEAM = [DemoPerson(f"mona@{DEMO_DOMAIN}", "منى عبد الرحمن السيد", "ar", Role.ADMIN)]
EMIRATES_TEAM = [DemoPerson(f"james@{DEMO_DOMAIN}", "James Whitaker", "en", Role.SALES)]
PENDING_INVITATIONS = [
    (f"khaled@{DEMO_DOMAIN}", Role.SALES),
    (f"lina@{DEMO_DOMAIN}", Role.EMPLOYEE),
]


@dataclass
class DemoResult:
    created: bool
    owner: User
    organizations: list[Organization]


#: Demo data of the domain apps, registered in their AppConfig.ready() (core never imports them).
#: Each runs once, inside the demo's transaction, after the organizations and people exist.
_DEMO_EXTENSIONS: list[Callable[[DemoResult], None]] = []


def register_demo_extension(func: Callable[[DemoResult], None]) -> None:
    if func not in _DEMO_EXTENSIONS:
        _DEMO_EXTENSIONS.append(func)


def demo_exists() -> bool:
    return User.objects.filter(email=OWNER_EMAIL).exists()


def demo_seed() -> DemoResult:
    """Create the demo data unless it is already there; never changes existing data."""
    if demo_exists():
        owner = User.objects.get(email=OWNER_EMAIL)
        organizations = [m.organization for m in owner.memberships.select_related("organization").order_by("pk")]
        return DemoResult(created=False, owner=owner, organizations=organizations)
    # The demo addresses cannot receive mail: the invitation e-mails are sent at once, to the
    # in-memory outbox, instead of queued for the worker to print on the console.
    immediate_tasks = {
        alias: {**options, "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        for alias, options in settings.TASKS.items()
    }
    quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", TASKS=immediate_tasks)
    with quiet, transaction.atomic():
        return _create_demo()


def _create_demo() -> DemoResult:
    from mizan.core.services.organizations import organization_create, organization_switch, organization_update

    owner = _user(SAUDI_TEAM[0])
    saudi = organization_create(
        owner=owner,
        name_ar="شركة ميزان للاستشارات",
        name_en="Mizan Consulting",
        country="SA",
        vat_number=SAUDI_VAT_NUMBER,
        language="ar",
    )
    saudi_owner = Membership.objects.get(organization=saudi, user=owner)
    saudi = organization_update(
        org=saudi,
        actor_membership=saudi_owner,
        data={"use_arabic_indic_digits": True, "show_hijri_dates": True},
    )
    _join(saudi, saudi_owner, SAUDI_TEAM[1:])

    egypt = organization_create(
        owner=owner,
        name_ar="شركة النيل للحلول الرقمية",
        name_en="Nile Digital Solutions",
        country="EG",
        vat_number="100-200-300",
    )
    _join(egypt, Membership.objects.get(organization=egypt, user=owner), EGYPT_TEAM)

    emirates = organization_create(
        owner=owner,
        name_ar="الخليج للتصميم الهندسي",
        name_en="Gulf Engineering Design",
        country="AE",
        vat_number="100123456700003",
        language="en",
    )
    _join(emirates, Membership.objects.get(organization=emirates, user=owner), EMIRATES_TEAM)

    _invite(saudi, saudi_owner)
    _notify(saudi)
    organization_switch(user=owner, organization_id=saudi.pk)
    owner.refresh_from_db()
    result = DemoResult(created=True, owner=owner, organizations=[saudi, egypt, emirates])
    for extension in _DEMO_EXTENSIONS:
        extension(result)
    return result


def _user(person: DemoPerson) -> User:
    return User.objects.create_user(
        email=person.email, password=DEMO_PASSWORD, full_name=person.full_name, language=person.language
    )


def _join(org: Organization, actor_membership: Membership, people: list[DemoPerson]) -> None:
    """Each person joins the way a real member does: invited, then accepting the invitation."""
    from mizan.core.services.invitations import invitation_accept, invitation_create

    for person in people:
        user = User.objects.filter(email=person.email).first() or _user(person)
        _invitation, raw_token = invitation_create(
            org=org, actor_membership=actor_membership, email=person.email, role=person.role
        )
        invitation_accept(raw_token=raw_token, user=user)


def _invite(org: Organization, actor_membership: Membership) -> None:
    from mizan.core.services.invitations import invitation_create

    for email, role in PENDING_INVITATIONS:
        invitation_create(org=org, actor_membership=actor_membership, email=email, role=role)


#: (recipient e-mail, message in Arabic, message in English, URL name of the link or "")
_NOTIFICATIONS = [
    (OWNER_EMAIL, "مرحبًا بك في ميزان! ابدأ بدعوة فريقك.", "Welcome to Mizan! Start by inviting your team.", ""),
    (OWNER_EMAIL, "دعوتان بانتظار القبول.", "Two invitations are waiting to be accepted.", "core:member_list"),
    (f"sales@{DEMO_DOMAIN}", "انضمت نورة القحطاني إلى الفريق.", "Noura Al-Qahtani joined the team.", ""),
    (f"pm@{DEMO_DOMAIN}", "مرحبًا بك في شركة ميزان للاستشارات.", "Welcome to Mizan Consulting.", ""),
]


def _notify(org: Organization) -> None:
    """A few unread notifications, in each recipient's own language."""
    from mizan.core.services.notifications import notification_create

    for email, arabic, english, url_name in _NOTIFICATIONS:
        user = User.objects.get(email=email)
        message = arabic if user.language == "ar" else english
        notification_create(org=org, user=user, message=message, url=reverse(url_name) if url_name else "")
