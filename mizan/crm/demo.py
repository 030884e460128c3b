"""CRM demo data for the Saudi, Egyptian and Emirati demo organizations: companies, contacts,
leads from several sources in every status, deals in every stage of the default pipeline (won,
and lost with a reason), and a history of activities and follow-ups (some overdue, some today).

Everything goes through the CRM services, like real use. Only the *dates* of the history are
moved into the past afterwards (services stamp "now"), so the timeline, "going cold" and My day
look lived-in. An organization that already has companies is left alone (seeding is idempotent).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone

from mizan.core.models import Membership, Organization
from mizan.core.roles import Role
from mizan.crm.models import Activity, Company, Contact, Deal, DealStageChange, LeadSource, LostReason, Stage

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class DemoCompany:
    name_ar: str
    name_latin: str
    city: str
    phone: str
    domain: str
    industry: str
    vat_number: str = ""
    commercial_registration: str = ""
    #: (Arabic name, Latin name, job title, mobile)
    contacts: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class DemoDeal:
    company: int  # index in the country's companies
    title: str
    value: str
    stage: int  # index of the pipeline's stages: 0 New .. 3 Negotiation, 4 Won, 5 Lost
    age_days: int  # when the deal was opened
    quiet_days: int  # days since its last activity ("going cold" when above the stage's limit)
    lost_reason: int | None = None
    owner: str = "sales"


@dataclass(frozen=True)
class DemoLead:
    person_name: str
    company_name: str
    email: str
    phone: str
    source: int  # index of the default lead sources
    status: str  # new, contacted, qualified, disqualified, converted
    value: str = ""
    message: str = ""


@dataclass(frozen=True)
class CountryDemo:
    country: str
    companies: tuple[DemoCompany, ...]
    deals: tuple[DemoDeal, ...]
    leads: tuple[DemoLead, ...]
    #: note / call / meeting / email texts used for the history: (subject, body)
    history: tuple[tuple[str, str, str], ...]
    follow_ups: tuple[str, ...]


SAUDI = CountryDemo(
    country="SA",
    companies=(
        DemoCompany(
            "شركة الرياض للتقنية المتقدمة",
            "Riyadh Advanced Technology Co.",
            "الرياض",
            "+966114567890",
            "riyadh-tech.example",
            "تقنية المعلومات",
            vat_number="300123456700003",
            commercial_registration="1010456789",
            contacts=(
                ("فيصل عبدالعزيز الشمري", "Faisal Al-Shammari", "مدير تقنية المعلومات", "+966501234567"),
                ("هيفاء محمد العنزي", "Haifa Al-Anazi", "مديرة المشتريات", "+966551234567"),
            ),
        ),
        DemoCompany(
            "مجموعة جدة للإنشاءات",
            "Jeddah Construction Group",
            "جدة",
            "+966126543210",
            "jeddah-construction.example",
            "المقاولات",
            vat_number="310987654300003",
            commercial_registration="4030123456",
            contacts=(
                ("خالد سعيد الغامدي", "Khalid Al-Ghamdi", "الرئيس التنفيذي", "+966541112233"),
                ("Sarah Mitchell", "Sarah Mitchell", "Project Director", "+966563334455"),
            ),
        ),
        DemoCompany(
            "الدمام للخدمات اللوجستية",
            "Dammam Logistics Services",
            "الدمام",
            "+966138765432",
            "dammam-logistics.example",
            "النقل والخدمات اللوجستية",
            vat_number="302345678900003",
            contacts=(("عبدالرحمن ناصر الدوسري", "Abdulrahman Al-Dosari", "مدير العمليات", "+966502223344"),),
        ),
    ),
    deals=(
        DemoDeal(0, "تطوير بوابة الموظفين", "85000", 0, 3, 3),
        DemoDeal(1, "استشارات إدارة مشروع البرج التجاري", "240000", 1, 20, 16),  # quiet 16 > 14: going cold
        DemoDeal(0, "ترحيل الأنظمة إلى السحابة", "310000", 2, 35, 4),
        DemoDeal(2, "نظام تتبع الأسطول", "175000", 3, 50, 12),  # quiet 12 > 10: going cold
        DemoDeal(1, "دراسة جدوى مشروع سكني في أبحر", "95000", 4, 70, 20),
        DemoDeal(2, "أتمتة المستودعات", "130000", 5, 60, 25, lost_reason=1),
        DemoDeal(0, "عقد دعم فني سنوي", "60000", 2, 15, 2, owner="owner"),
    ),
    leads=(
        DemoLead(
            "نوف الحربي",
            "مؤسسة نوف للتجميل",
            "nouf@nouf-beauty.example",
            "+966505556677",
            0,
            "new",
            "25000",
            "نرغب في متجر إلكتروني وتطبيق للحجوزات.",
        ),
        DemoLead("Omar Farouk", "Tabuk Agri Co.", "omar@tabuk-agri.example", "+966506667788", 2, "contacted", "120000"),
        DemoLead(
            "ماجد القرني", "مكتب القرني للمحاماة", "majed@qarni-law.example", "+966507778899", 1, "qualified", "45000"
        ),
        DemoLead("سلطان العمري", "", "sultan.omari@gmail.com", "+966508889900", 3, "disqualified"),
        DemoLead(
            "ريم الزهراني",
            "شركة الزهراني للتجارة",
            "reem@zahrani-trading.example",
            "+966509990011",
            4,
            "converted",
            "70000",
        ),
    ),
    history=(
        ("call", "مكالمة تعريفية", "ناقشنا احتياجاتهم وطلبوا عرضًا مبدئيًا."),
        ("meeting", "اجتماع في مقر العميل", "عرضنا منهجية العمل والجدول الزمني.\nحضر مدير المشتريات."),
        ("email", "إرسال العرض الفني", "أرسلنا العرض الفني والمالي بصيغة PDF."),
        ("note", "", "العميل يفضّل الدفع على ثلاث دفعات."),
    ),
    follow_ups=("الاتصال لمتابعة العرض", "إرسال العقد للمراجعة", "تحديد موعد العرض التقديمي", "تأكيد الميزانية"),
)

EGYPT = CountryDemo(
    country="EG",
    companies=(
        DemoCompany(
            "الأهرام للاستشارات الهندسية",
            "Al-Ahram Engineering Consultants",
            "القاهرة",
            "+20223456789",
            "ahram-eng.example",
            "الاستشارات الهندسية",
            vat_number="512-345-678",
            commercial_registration="98765",
            contacts=(
                ("أحمد مصطفى عبد الحميد", "Ahmed Mostafa", "مدير المشروعات", "+201001234567"),
                ("مريم حسن إبراهيم", "Mariam Hassan", "مسؤولة المشتريات", "+201112345678"),
            ),
        ),
        DemoCompany(
            "الإسكندرية للتجارة والتوزيع",
            "Alexandria Trading & Distribution",
            "الإسكندرية",
            "+2034876543",
            "alex-trading.example",
            "التجارة والتوزيع",
            vat_number="498-765-432",
            contacts=(("محمود سامي الشاذلي", "Mahmoud El-Shazly", "المدير العام", "+201223456789"),),
        ),
    ),
    deals=(
        DemoDeal(0, "تصميم نظام إدارة المستندات", "450000", 0, 4, 4, owner="admin"),
        DemoDeal(1, "تدريب فريق المبيعات", "120000", 1, 12, 5, owner="admin"),
        DemoDeal(0, "استشارات التحول الرقمي", "900000", 2, 40, 18, owner="admin"),  # going cold
        DemoDeal(1, "تطبيق الطلبات للموزعين", "380000", 3, 30, 3, owner="owner"),
        DemoDeal(0, "مراجعة البنية التحتية للشبكات", "210000", 4, 80, 30, owner="owner"),
        DemoDeal(1, "منصة التجارة الإلكترونية", "520000", 5, 65, 35, lost_reason=0, owner="admin"),
    ),
    leads=(
        DemoLead(
            "يوسف كمال",
            "شركة النور للأدوية",
            "youssef@alnour-pharma.example",
            "+201001112233",
            0,
            "new",
            "300000",
            "نحتاج نظامًا لإدارة المخزون في الصيدليات.",
        ),
        DemoLead("Nadia Samir", "Delta Textiles", "nadia@delta-textiles.example", "+201002223344", 2, "contacted"),
        DemoLead("عمرو الجمال", "", "amr.gamal@yahoo.com", "+201003334455", 3, "disqualified"),
        DemoLead("هبة عادل", "مكتب هبة للتصميم", "heba@heba-design.example", "+201004445566", 1, "qualified", "80000"),
    ),
    history=(
        ("call", "مكالمة متابعة", "العميل مهتم ويطلب تخفيضًا بسيطًا."),
        ("meeting", "ورشة عمل لتحديد المتطلبات", "حددنا المتطلبات الأساسية ونطاق المرحلة الأولى."),
        ("email", "محضر الاجتماع", "أرسلنا محضر الاجتماع والخطوات القادمة."),
        ("note", "", "صاحب القرار هو المدير العام، يعود من السفر الأسبوع القادم."),
    ),
    follow_ups=("متابعة عرض السعر", "إرسال دراسة الحالة", "حجز اجتماع مع المدير العام"),
)

EMIRATES = CountryDemo(
    country="AE",
    companies=(
        DemoCompany(
            "مجموعة دبي للضيافة",
            "Dubai Hospitality Group",
            "Dubai",
            "+97143456789",
            "dubai-hospitality.example",
            "Hospitality",
            vat_number="100234567800003",
            commercial_registration="DED-784512",
            contacts=(
                ("راشد المهيري", "Rashid Al Muhairi", "Chief Operating Officer", "+971501234567"),
                ("Emma Collins", "Emma Collins", "Head of Procurement", "+971551234567"),
            ),
        ),
        DemoCompany(
            "أبوظبي للطاقة النظيفة",
            "Abu Dhabi Clean Energy",
            "Abu Dhabi",
            "+97126543210",
            "ad-clean-energy.example",
            "Energy",
            vat_number="100345678900003",
            contacts=(("سالم الكتبي", "Salem Al Ketbi", "Engineering Manager", "+971521112233"),),
        ),
    ),
    deals=(
        DemoDeal(0, "Guest app for 12 hotels", "350000", 0, 2, 2),
        DemoDeal(1, "Solar farm monitoring dashboard", "780000", 1, 25, 20),  # going cold
        DemoDeal(0, "Revenue management consulting", "260000", 2, 30, 6),
        DemoDeal(1, "SCADA integration", "1200000", 3, 45, 5, owner="owner"),
        DemoDeal(0, "Loyalty programme redesign", "190000", 4, 90, 40),
        DemoDeal(1, "Staff training portal", "85000", 5, 50, 30, lost_reason=2),
    ),
    leads=(
        DemoLead(
            "Layla Haddad",
            "Marina Yachts",
            "layla@marina-yachts.example",
            "+971502223344",
            2,
            "new",
            "150000",
            "Looking for a booking platform.",
        ),
        DemoLead("Arjun Mehta", "Sharjah Foods", "arjun@sharjah-foods.example", "+971503334455", 0, "contacted"),
        DemoLead(
            "مريم الشامسي",
            "Al Shamsi Interiors",
            "mariam@shamsi-interiors.example",
            "+971504445566",
            1,
            "qualified",
            "95000",
        ),
        DemoLead("Tom Becker", "", "tom.becker@hotmail.com", "+971505556677", 4, "disqualified"),
    ),
    history=(
        ("call", "Discovery call", "Discussed current pain points and the timeline."),
        ("meeting", "On-site workshop", "Walked through the proposed architecture.\nThey want a pilot first."),
        ("email", "Proposal sent", "Sent the proposal and the pilot plan."),
        ("note", "", "Budget is approved for Q3; legal review takes two weeks."),
    ),
    follow_ups=("Follow up on the proposal", "Send the pilot plan", "Book the steering committee", "Chase the PO"),
)

DEMOS = {"SA": SAUDI, "EG": EGYPT, "AE": EMIRATES}


def crm_demo_seed(result: Any) -> None:
    """A `register_demo_extension` hook: fill each demo organization that has no company yet."""
    for org in result.organizations:
        demo = DEMOS.get(org.country)
        if demo is not None and not Company.objects.filter(organization=org).exists():
            _seed_organization(org, demo)


def _members(org: Organization) -> dict[str, Membership]:
    """The people who act in the demo: the owner, an admin or sales member if there is one."""
    memberships = Membership.objects.filter(organization=org, is_active=True).select_related("user")
    by_role = {membership.role: membership for membership in memberships}
    owner = by_role[Role.OWNER]
    return {
        "owner": owner,
        "admin": by_role.get(Role.ADMIN, owner),
        "sales": by_role.get(Role.SALES) or by_role.get(Role.ADMIN) or owner,
    }


def _seed_organization(org: Organization, demo: CountryDemo) -> None:
    from mizan.crm.services.clients import company_create, contact_create

    members = _members(org)
    actor = members["sales"]
    companies: list[Company] = []
    contacts: dict[int, list[Contact]] = {}
    for index, spec in enumerate(demo.companies):
        company = company_create(
            org=org,
            actor_membership=actor,
            data={
                "name_ar": spec.name_ar,
                "name_latin": spec.name_latin,
                "email": f"info@{spec.domain}",
                "phone": spec.phone,
                "website": f"https://www.{spec.domain}",
                "vat_number": spec.vat_number,
                "commercial_registration": spec.commercial_registration,
                "country": demo.country,
                "city": spec.city,
                "industry": spec.industry,
                "owner": actor.user,
            },
        )
        companies.append(company)
        contacts[index] = [
            contact_create(
                org=org,
                actor_membership=actor,
                data={
                    "company": company,
                    "name_ar": name_ar if name_ar != name_latin else "",
                    "name_latin": name_latin,
                    "job_title": job_title,
                    "email": f"{name_latin.split()[0].lower()}@{spec.domain}",
                    "mobile": mobile,
                    "owner": actor.user,
                },
            )
            for name_ar, name_latin, job_title, mobile in spec.contacts
        ]
    _seed_leads(org, demo, actor)
    deals = _seed_deals(org, demo, members, companies, contacts)
    _seed_follow_ups(org, demo, members, deals)


def _seed_leads(org: Organization, demo: CountryDemo, actor: Membership) -> None:
    from mizan.crm.services.leads import lead_convert, lead_create, lead_disqualify, lead_update

    sources = list(LeadSource.objects.filter(organization=org).order_by("pk"))
    for spec in demo.leads:
        lead = lead_create(
            org=org,
            actor_membership=actor,
            data={
                "person_name": spec.person_name,
                "company_name": spec.company_name,
                "email": spec.email,
                "phone": spec.phone,
                "country": demo.country,
                "estimated_value": spec.value,
                "message": spec.message,
                "title": spec.company_name or spec.person_name,
            },
            source=sources[spec.source % len(sources)] if sources else None,
        )
        if spec.status in ("contacted", "qualified"):
            lead_update(org=org, actor_membership=actor, lead=lead, data={"status": spec.status})
        elif spec.status == "disqualified":
            lead_disqualify(org=org, actor_membership=actor, lead=lead, reason="")
        elif spec.status == "converted":
            lead_convert(org=org, actor_membership=actor, lead=lead)


def _seed_deals(
    org: Organization,
    demo: CountryDemo,
    members: dict[str, Membership],
    companies: list[Company],
    contacts: dict[int, list[Contact]],
) -> list[Deal]:
    from mizan.crm.services.deals import deal_create, deal_mark_lost, deal_mark_won, deal_move

    stages = _default_stages(org)
    reasons = list(LostReason.objects.filter(organization=org).order_by("pk"))
    now = timezone.now()
    deals = []
    for number, spec in enumerate(demo.deals):
        actor = members[spec.owner]
        deal = deal_create(
            org=org,
            actor_membership=actor,
            data={
                "title": spec.title,
                "company": companies[spec.company],
                "contacts": contacts[spec.company][:1],
                "value": Decimal(spec.value),
                "expected_close_date": (now + DAY * (30 + 10 * number)).date(),
                "owner": actor.user,
            },
        )
        target = stages[spec.stage]
        # Walk the open stages in order, as a real deal does, so its stage history is complete.
        for stage in stages[1 : min(spec.stage, 3) + 1]:
            deal_move(org=org, actor_membership=actor, deal=deal, stage=stage)
        if target.kind == Stage.Kind.WON:
            deal_mark_won(org=org, actor_membership=actor, deal=deal)
        elif target.kind == Stage.Kind.LOST:
            reason = reasons[(spec.lost_reason or 0) % len(reasons)] if reasons else None
            deal_mark_lost(org=org, actor_membership=actor, deal=deal, reason=reason, note="")
        _seed_history(org, demo, actor, deal, spec, contact=(contacts[spec.company] or [None])[0])
        deals.append(deal)
    return deals


def _default_stages(org: Organization) -> list[Stage]:
    """New, Qualified, Proposal, Negotiation (open, in order), then Won and Lost."""
    from mizan.crm.services.pipelines import pipeline_create_default

    pipeline = pipeline_create_default(org=org)
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    open_stages = [stage for stage in stages if stage.kind == Stage.Kind.OPEN][:4]
    won = next(stage for stage in stages if stage.kind == Stage.Kind.WON)
    lost = next(stage for stage in stages if stage.kind == Stage.Kind.LOST)
    while len(open_stages) < 4:
        open_stages.append(open_stages[-1])
    return [*open_stages, won, lost]


def _seed_history(
    org: Organization,
    demo: CountryDemo,
    actor: Membership,
    deal: Deal,
    spec: DemoDeal,
    *,
    contact: Contact | None,
) -> None:
    """A few activities spread over the deal's life, then the stage history dated to match."""
    from mizan.crm.services.timeline import activity_record

    now = timezone.now()
    opened = now - DAY * spec.age_days
    last = now - DAY * spec.quiet_days
    steps = len(demo.history)
    for index, (kind, subject, body) in enumerate(demo.history):
        when = opened + (last - opened) * (index + 1) / steps if steps else last
        activity_record(
            org=org,
            actor_membership=actor,
            target=deal,
            kind=kind,
            subject=subject,
            body=body,
            occurred_at=when,
            duration_minutes={"call": 15, "meeting": 60}.get(kind),
            outcome="answered" if kind == "call" else "",
            email_to=contact.email if (kind == "email" and contact is not None) else "",
        )
    _backdate_stage_history(deal, opened=opened, last=last)


def _backdate_stage_history(deal: Deal, *, opened: datetime.datetime, last: datetime.datetime) -> None:
    """Services stamp "now" on stage moves; spread them between the deal's opening and its last touch."""
    changes = list(DealStageChange.objects.filter(deal=deal).order_by("changed_at", "id"))
    moves = list(Activity.objects.filter(deal=deal, kind=Activity.Kind.STAGE_CHANGE).order_by("occurred_at", "id"))
    count = max(len(changes), 1)
    previous = opened
    for index, change in enumerate(changes):
        when = opened + (last - opened) * index / count
        DealStageChange.objects.filter(pk=change.pk).update(
            changed_at=when, seconds_in_previous=int((when - previous).total_seconds()) if index else 0
        )
        previous = when
    for index, activity in enumerate(moves, start=1):
        when = opened + (last - opened) * min(index, count - 1) / count
        Activity.objects.filter(pk=activity.pk).update(occurred_at=when)
    newest = Activity.objects.filter(deal=deal).aggregate(newest=Max("occurred_at"))["newest"]
    closed = {"closed_at": last} if deal.status != Deal.Status.OPEN else {}
    Deal.objects.filter(pk=deal.pk).update(
        created_at=opened, stage_entered_at=previous, last_activity_at=newest, **closed
    )
    Company.objects.filter(pk=deal.company_id, created_at__gt=opened).update(created_at=opened)


def _seed_follow_ups(org: Organization, demo: CountryDemo, members: dict[str, Membership], deals: list[Deal]) -> None:
    """On the open deals: one overdue, one later today, others in the coming days; some deals keep none."""
    from mizan.crm.services.timeline import follow_up_create

    now = timezone.now()
    zone = org.tz()
    end_of_today = datetime.datetime.combine(timezone.localtime(now, zone).date() + DAY, datetime.time.min, tzinfo=zone)
    later_today = now + (end_of_today - now) / 2
    due_times = [now - DAY - datetime.timedelta(hours=2), later_today, now + DAY * 2, now + DAY * 5]
    open_deals = [deal for deal in deals if deal.status == Deal.Status.OPEN]
    # The last open deal is left without a next step, so My day has one to show.
    for index, deal in enumerate(open_deals[:-1]):
        due_at = due_times[index % len(due_times)]
        assignee = deal.owner or members["owner"].user
        actor = next((m for m in members.values() if m.user_id == assignee.pk), members["owner"])
        follow_up_create(
            org=org,
            actor_membership=actor,
            title=demo.follow_ups[index % len(demo.follow_ups)],
            due_at=due_at,
            remind_at=due_at - datetime.timedelta(minutes=30) if due_at > now else None,
            assignee=assignee,
            deal=deal,
        )
    # The owner signs in first: give them an overdue and a today follow-up of their own too.
    owner = members["owner"]
    for title, due_at in ((demo.follow_ups[0], now - datetime.timedelta(hours=3)), (demo.follow_ups[-1], later_today)):
        follow_up_create(
            org=org, actor_membership=owner, title=title, due_at=due_at, assignee=owner.user, deal=open_deals[0]
        )
