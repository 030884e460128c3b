"""Small word lists for dataset M: Arabic names with their English transliterations.

Names are combined from these lists by a seeded `random.Random`, so the same seed always gives
the same people and companies. Every entry is (Arabic, English).
"""

from __future__ import annotations

MALE_FIRST = [
    ("محمد", "Mohammed"),
    ("أحمد", "Ahmed"),
    ("عبدالله", "Abdullah"),
    ("خالد", "Khalid"),
    ("فيصل", "Faisal"),
    ("سعود", "Saud"),
    ("عبدالرحمن", "Abdulrahman"),
    ("ياسر", "Yasser"),
    ("عمر", "Omar"),
    ("علي", "Ali"),
    ("حسن", "Hassan"),
    ("إبراهيم", "Ibrahim"),
    ("يوسف", "Yousef"),
    ("ماجد", "Majed"),
    ("طارق", "Tariq"),
    ("سلمان", "Salman"),
    ("نايف", "Nayef"),
    ("بندر", "Bandar"),
    ("تركي", "Turki"),
    ("مشعل", "Mishal"),
    ("هشام", "Hisham"),
    ("وليد", "Waleed"),
    ("سامي", "Sami"),
    ("زياد", "Ziad"),
]
FEMALE_FIRST = [
    ("نورة", "Noura"),
    ("فاطمة", "Fatimah"),
    ("سارة", "Sarah"),
    ("هيفاء", "Haifa"),
    ("ريم", "Reem"),
    ("لطيفة", "Latifa"),
    ("منى", "Mona"),
    ("أمل", "Amal"),
    ("هند", "Hind"),
    ("دانة", "Dana"),
    ("جواهر", "Jawaher"),
    ("عائشة", "Aisha"),
    ("مريم", "Maryam"),
    ("لمى", "Lama"),
    ("رنا", "Rana"),
    ("شهد", "Shahad"),
]
FAMILY = [
    ("القحطاني", "Al-Qahtani"),
    ("الشمري", "Al-Shammari"),
    ("الغامدي", "Al-Ghamdi"),
    ("الدوسري", "Al-Dosari"),
    ("العتيبي", "Al-Otaibi"),
    ("الحربي", "Al-Harbi"),
    ("الزهراني", "Al-Zahrani"),
    ("المطيري", "Al-Mutairi"),
    ("العنزي", "Al-Anazi"),
    ("السبيعي", "Al-Subaie"),
    ("الشهري", "Al-Shehri"),
    ("العمري", "Al-Omari"),
    ("البقمي", "Al-Buqami"),
    ("الرشيد", "Al-Rasheed"),
    ("السديري", "Al-Sudairi"),
    ("الفهد", "Al-Fahad"),
    ("المالكي", "Al-Malki"),
    ("الجهني", "Al-Juhani"),
    ("الخالدي", "Al-Khalidi"),
    ("التميمي", "Al-Tamimi"),
]
#: The word a company name starts with, and where its English form puts it.
COMPANY_KIND = [
    ("شركة", "{core} {trade} Co."),
    ("مؤسسة", "{core} {trade} Est."),
    ("مجموعة", "{core} {trade} Group"),
    ("مصنع", "{core} {trade} Factory"),
    ("مكتب", "{core} {trade} Office"),
]
COMPANY_CORE = [
    ("النور", "Al-Noor"),
    ("الأمل", "Al-Amal"),
    ("الخليج", "Gulf"),
    ("الرياض", "Riyadh"),
    ("جدة", "Jeddah"),
    ("الشرق", "Al-Sharq"),
    ("الوفاء", "Al-Wafa"),
    ("النخبة", "Elite"),
    ("الريادة", "Al-Riyada"),
    ("الأفق", "Horizon"),
    ("المستقبل", "Future"),
    ("البيان", "Al-Bayan"),
    ("الصفوة", "Al-Safwa"),
    ("الرواد", "Pioneers"),
    ("الجزيرة", "Al-Jazeera"),
    ("اليمامة", "Al-Yamamah"),
    ("الفجر", "Al-Fajr"),
    ("النجم", "Star"),
    ("السلام", "Al-Salam"),
    ("الواحة", "Oasis"),
    ("المدينة", "Madinah"),
    ("تبوك", "Tabuk"),
    ("الحرمين", "Al-Haramain"),
    ("نجد", "Najd"),
]
COMPANY_TRADE = [
    ("للتجارة", "Trading", "التجارة"),
    ("للمقاولات", "Contracting", "المقاولات"),
    ("للتقنية", "Technology", "تقنية المعلومات"),
    ("للخدمات اللوجستية", "Logistics", "النقل والخدمات اللوجستية"),
    ("للاستشارات", "Consulting", "الاستشارات"),
    ("للصناعة", "Industries", "الصناعة"),
    ("للأغذية", "Foods", "الأغذية"),
    ("للتعليم والتدريب", "Training", "التعليم"),
    ("للرعاية الطبية", "Medical Care", "الرعاية الصحية"),
    ("للعقارات", "Real Estate", "العقارات"),
]
CITIES = [
    ("الرياض", "SA", "+9661"),
    ("جدة", "SA", "+9661"),
    ("الدمام", "SA", "+9661"),
    ("مكة المكرمة", "SA", "+9661"),
    ("المدينة المنورة", "SA", "+9661"),
    ("الخبر", "SA", "+9661"),
    ("أبها", "SA", "+9661"),
    ("بريدة", "SA", "+9661"),
]
#: Clients abroad, billed in US dollars: (city, country, phone prefix).
FOREIGN_CITIES = [
    ("دبي", "AE", "+9714"),
    ("أبوظبي", "AE", "+9712"),
    ("القاهرة", "EG", "+202"),
    ("الكويت", "KW", "+965"),
]
JOB_TITLES = [
    ("مدير المشتريات", "Procurement Manager"),
    ("المدير المالي", "Finance Manager"),
    ("الرئيس التنفيذي", "CEO"),
    ("مدير تقنية المعلومات", "IT Manager"),
    ("مدير العمليات", "Operations Manager"),
    ("محاسب", "Accountant"),
    ("مدير المبيعات", "Sales Manager"),
    ("منسق المشاريع", "Project Coordinator"),
]
DEAL_TOPICS = [
    ("توريد أجهزة", "Hardware supply"),
    ("عقد صيانة سنوي", "Annual maintenance contract"),
    ("تطوير نظام", "System development"),
    ("استشارات إدارية", "Management consulting"),
    ("برنامج تدريب", "Training programme"),
    ("ترخيص برمجيات", "Software licences"),
    ("مشروع توسعة", "Expansion project"),
    ("خدمات سحابية", "Cloud services"),
]
#: (kind, Arabic subject, English subject, outcome)
ACTIVITY_TEXTS = [
    ("note", "ملاحظة عن احتياجات العميل", "Note on the client's needs", ""),
    ("note", "تم تحديث بيانات التواصل", "Contact details updated", ""),
    ("call", "مكالمة متابعة", "Follow-up call", "answered"),
    ("call", "مكالمة لم يرد عليها", "Call not answered", "no_answer"),
    ("meeting", "اجتماع في مقر العميل", "Meeting at the client's office", ""),
    ("meeting", "عرض تقديمي للحل", "Solution presentation", ""),
    ("email", "إرسال عرض السعر", "Quote sent", "sent"),
    ("email", "رسالة شكر بعد الاجتماع", "Thank-you e-mail after the meeting", "sent"),
]
#: Catalog of the organization: (code, Arabic, English, unit, price in SAR, income account key).
PRODUCTS = [
    ("SRV-CONS", "ساعة استشارات", "Consulting hour", "hour", "450.00", "services"),
    ("SRV-SUPP", "دعم فني شهري", "Monthly technical support", "month", "2500.00", "services"),
    ("TRN-DAY", "يوم تدريب", "Training day", "day", "3200.00", "training"),
    ("LIC-USER", "ترخيص مستخدم سنوي", "Annual user licence", "year", "1200.00", "licences"),
    ("LIC-SERV", "ترخيص خادم", "Server licence", "piece", "8500.00", "licences"),
    ("HW-LAPTOP", "حاسب محمول", "Laptop", "piece", "4750.00", "goods"),
    ("HW-PRINT", "طابعة مكتبية", "Office printer", "piece", "1890.00", "goods"),
    ("HW-CABLE", "كابل شبكة", "Network cable", "piece", "35.50", "goods"),
]
#: Income accounts beside the chart's revenue account (code, Arabic, English), keyed like PRODUCTS.
INCOME_ACCOUNTS = {
    "training": ("4110", "إيرادات التدريب", "Training revenue"),
    "licences": ("4120", "إيرادات التراخيص", "Licence revenue"),
    "goods": ("4130", "إيرادات بيع البضائع", "Sales of goods"),
}
