"""Organizations created before payment terms existed get the same four terms as new ones."""

from django.db import migrations

TERMS = (
    ("مستحقة عند الاستلام", "Due on receipt", 0, False),
    ("صافي 15 يوماً", "Net 15 days", 15, False),
    ("صافي 30 يوماً", "Net 30 days", 30, True),
    ("صافي 60 يوماً", "Net 60 days", 60, False),
)


def install_terms(apps, schema_editor):
    Organization = apps.get_model("core", "Organization")
    PaymentTerm = apps.get_model("billing", "PaymentTerm")
    for org_id in Organization.objects.values_list("pk", flat=True):
        if PaymentTerm.objects.filter(organization_id=org_id).exists():
            continue
        PaymentTerm.objects.bulk_create(
            PaymentTerm(organization_id=org_id, name_ar=name_ar, name_en=name_en, days=days, is_default=default)
            for name_ar, name_en, days, default in TERMS
        )


def remove_terms(apps, schema_editor):
    apps.get_model("billing", "PaymentTerm").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_billingsettings_address_ar_and_more")]

    operations = [migrations.RunPython(install_terms, remove_terms)]
