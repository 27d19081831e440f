"""What each kind of message says, in the languages of the school's students.

``{name}`` placeholders are filled from the message's context. A kind missing in a language
falls back to English, then Greek. Texts are plain Unicode: Arabic and Persian stay in their
own script and direction (no markup, no forced direction marks inside an SMS).
"""

# kind: {language: (subject for e-mail, body)}
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "lesson_cancelled": {
        "el": ("Ακύρωση μαθήματος", "Το μάθημα {cycle} στις {date} ({starts_at}) ακυρώνεται."),
        "en": ("Lesson cancelled", "Your {cycle} lesson on {date} at {starts_at} is cancelled."),
        "ar": ("إلغاء درس", "تم إلغاء درس {cycle} يوم {date} الساعة {starts_at}."),
        "fa": ("لغو کلاس", "کلاس {cycle} در تاریخ {date} ساعت {starts_at} لغو شد."),
        "uk": ("Урок скасовано", "Урок {cycle} {date} о {starts_at} скасовано."),
        "fr": ("Cours annulé", "Votre cours {cycle} du {date} à {starts_at} est annulé."),
    },
    "lesson_moved": {
        "el": ("Αλλαγή μαθήματος", "Το μάθημα {cycle} μεταφέρεται: {date}, {starts_at}-{ends_at}, {venue} {room}."),
        "en": ("Lesson moved", "Your {cycle} lesson has moved: {date}, {starts_at}-{ends_at}, {venue} {room}."),
        "ar": ("تغيير موعد الدرس", "تم نقل درس {cycle} إلى {date}، {starts_at}-{ends_at}، {venue} {room}."),
        "fa": ("تغییر زمان کلاس", "کلاس {cycle} منتقل شد: {date}، {starts_at}-{ends_at}، {venue} {room}."),
        "uk": ("Урок перенесено", "Урок {cycle} перенесено: {date}, {starts_at}-{ends_at}, {venue} {room}."),
        "fr": ("Cours déplacé", "Votre cours {cycle} est déplacé : {date}, {starts_at}-{ends_at}, {venue} {room}."),
    },
    "lesson_tomorrow": {
        "el": ("Μάθημα αύριο", "Αύριο {date}: μάθημα {cycle}, {starts_at}-{ends_at}, {venue} {room}."),
        "en": ("Lesson tomorrow", "Tomorrow {date}: {cycle} lesson, {starts_at}-{ends_at}, {venue} {room}."),
        "ar": ("درس غداً", "غداً {date}: درس {cycle}، {starts_at}-{ends_at}، {venue} {room}."),
        "fa": ("کلاس فردا", "فردا {date}: کلاس {cycle}، {starts_at}-{ends_at}، {venue} {room}."),
        "uk": ("Урок завтра", "Завтра {date}: урок {cycle}, {starts_at}-{ends_at}, {venue} {room}."),
        "fr": ("Cours demain", "Demain {date} : cours {cycle}, {starts_at}-{ends_at}, {venue} {room}."),
    },
    "waitlist_promoted": {
        "el": ("Έχετε θέση", "Βρέθηκε θέση για εσάς στο τμήμα {cycle} ({level}). Σας περιμένουμε!"),
        "en": ("You have a place", "A place is free for you in {cycle} ({level}). See you in class!"),
        "ar": ("لديك مكان", "أصبح لك مكان في صف {cycle} ({level}). نراك في الصف!"),
        "fa": ("جای شما آماده است", "در کلاس {cycle} ({level}) برای شما جا هست. منتظرتان هستیم!"),
        "uk": ("У вас є місце", "Для вас звільнилося місце в групі {cycle} ({level}). Чекаємо на заняттях!"),
        "fr": ("Vous avez une place", "Une place s'est libérée pour vous dans {cycle} ({level}). À bientôt en cours !"),
    },
    "waitlist_promoted_coordinator": {
        "el": ("Προαγωγή από λίστα αναμονής", "{student} πήρε θέση στο {cycle} από τη λίστα αναμονής."),
        "en": ("Waitlist promotion", "{student} has been given a place in {cycle} from the waitlist."),
    },
    "absence_alert": {
        "el": ("Απουσίες", "Λείψατε {count} φορές από το {cycle} ({dates}). Ελάτε στο επόμενο μάθημα ή ενημερώστε μας."),
        "en": ("Absences", "You missed {count} {cycle} lessons ({dates}). Please come to the next one or tell us why."),
        "ar": ("غياب", "تغيبت {count} مرات عن دروس {cycle} ({dates}). تعال إلى الدرس القادم أو أخبرنا بالسبب."),
        "fa": ("غیبت", "شما {count} بار در کلاس {cycle} غایب بودید ({dates}). لطفاً در کلاس بعدی شرکت کنید یا به ما خبر دهید."),
        "uk": ("Пропуски", "Ви пропустили {count} уроків {cycle} ({dates}). Приходьте на наступний або повідомте нам."),
        "fr": ("Absences", "Vous avez manqué {count} cours de {cycle} ({dates}). Venez au prochain ou prévenez-nous."),
    },
    "at_risk_digest": {
        "el": ("Μαθητές σε κίνδυνο", "Μαθητές σε κίνδυνο σήμερα ({count}):\n{students}"),
        "en": ("Students at risk", "Students at risk today ({count}):\n{students}"),
    },
    "exam_deadline": {
        "el": ("Προθεσμία εξετάσεων", "Δηλώσεις για τις εξετάσεις {round} έως {deadline}. Ρωτήστε τη γραμματεία."),
        "en": ("Exam registration deadline", "Register for the {round} exam by {deadline}. Ask the school office."),
        "ar": ("موعد التسجيل للامتحان", "سجّل لامتحان {round} قبل {deadline}. اسأل إدارة المدرسة."),
        "fa": ("مهلت ثبت‌نام امتحان", "برای امتحان {round} تا {deadline} ثبت‌نام کنید. از دفتر مدرسه بپرسید."),
        "uk": ("Реєстрація на іспит", "Зареєструйтеся на іспит {round} до {deadline}. Зверніться до школи."),
        "fr": ("Inscription à l'examen", "Inscrivez-vous à l'examen {round} avant le {deadline}. Demandez au secrétariat."),
    },
    "exam_day": {
        "el": ("Ημέρα εξετάσεων", "Οι εξετάσεις {round} είναι στις {exam_date} στο {centre}. Καλή επιτυχία!"),
        "en": ("Exam day", "Your {round} exam is on {exam_date} at {centre}. Good luck!"),
        "ar": ("يوم الامتحان", "امتحان {round} يوم {exam_date} في {centre}. بالتوفيق!"),
        "fa": ("روز امتحان", "امتحان {round} در تاریخ {exam_date} در {centre} است. موفق باشید!"),
        "uk": ("День іспиту", "Ваш іспит {round} — {exam_date}, {centre}. Успіху!"),
        "fr": ("Jour de l'examen", "Votre examen {round} a lieu le {exam_date} à {centre}. Bonne chance !"),
    },
    "result_published": {
        "el": ("Αποτελέσματα", "Τα αποτελέσματα των εξετάσεων {round} βγήκαν. Δείτε τα στη σελίδα σας ή στη γραμματεία."),
        "en": ("Results", "The {round} results are out. See yours on your page or at the school office."),
        "ar": ("النتائج", "صدرت نتائج امتحان {round}. اطلع على نتيجتك في صفحتك أو في إدارة المدرسة."),
        "fa": ("نتایج", "نتایج امتحان {round} اعلام شد. نتیجه را در صفحه خود یا در دفتر مدرسه ببینید."),
        "uk": ("Результати", "Результати іспиту {round} опубліковано. Перегляньте на своїй сторінці або в школі."),
        "fr": ("Résultats", "Les résultats de l'examen {round} sont publiés. Consultez-les sur votre page ou au secrétariat."),
    },
    "sign_in_link": {
        "el": ("Σύνδεση", "Ο σύνδεσμος για να μπείτε στη σελίδα σας: {link} Ισχύει {minutes} λεπτά, μία φορά."),
        "en": ("Sign in", "Your link to sign in: {link} It works once, for {minutes} minutes."),
        "ar": ("تسجيل الدخول", "رابط الدخول إلى صفحتك: {link} يعمل مرة واحدة لمدة {minutes} دقيقة."),
        "fa": ("ورود", "لینک ورود به صفحه شما: {link} فقط یک بار و تا {minutes} دقیقه کار می‌کند."),
        "uk": ("Вхід", "Ваше посилання для входу: {link} Діє один раз, {minutes} хвилин."),
        "fr": ("Connexion", "Votre lien pour vous connecter : {link} Il marche une fois, pendant {minutes} minutes."),
    },
    "questionnaire_entry": {
        "el": ("Ερωτηματολόγιο έναρξης", "Καλώς ήρθατε στο {cycle}! Απαντήστε σε λίγες ερωτήσεις για το Ευρωπαϊκό Κοινωνικό Ταμείο: {link} Έως {closes_on}."),
        "en": ("Questions at the start", "Welcome to {cycle}! Please answer a few questions for the European Social Fund: {link} By {closes_on}."),
        "ar": ("أسئلة البداية", "مرحباً بك في {cycle}! أجب عن بعض الأسئلة للصندوق الاجتماعي الأوروبي: {link} قبل {closes_on}."),
        "fa": ("پرسش‌های آغاز دوره", "به {cycle} خوش آمدید! لطفاً به چند پرسش برای صندوق اجتماعی اروپا پاسخ دهید: {link} تا {closes_on}."),
        "uk": ("Питання на початку курсу", "Вітаємо в {cycle}! Дайте відповідь на кілька питань для Європейського соціального фонду: {link} До {closes_on}."),
        "fr": ("Questions de début de cours", "Bienvenue dans {cycle} ! Répondez à quelques questions pour le Fonds social européen : {link} Avant le {closes_on}."),
    },
    "questionnaire_exit": {
        "el": ("Ερωτηματολόγιο αποχώρησης", "Ο κύκλος {cycle} τελείωσε για εσάς. Απαντήστε σε 3 σύντομες ερωτήσεις: {link} Έως {closes_on}."),
        "en": ("Questions on leaving", "Your course {cycle} has ended for you. Please answer 3 short questions: {link} By {closes_on}."),
        "ar": ("أسئلة عند المغادرة", "انتهت دورة {cycle} بالنسبة لك. أجب عن 3 أسئلة قصيرة: {link} قبل {closes_on}."),
        "fa": ("پرسش‌های پایان دوره", "دوره {cycle} برای شما به پایان رسید. لطفاً به ۳ پرسش کوتاه پاسخ دهید: {link} تا {closes_on}."),
        "uk": ("Питання після курсу", "Курс {cycle} для вас завершився. Дайте відповідь на 3 короткі питання: {link} До {closes_on}."),
        "fr": ("Questions de fin de cours", "Le cours {cycle} est terminé pour vous. Répondez à 3 questions courtes : {link} Avant le {closes_on}."),
    },
    "questionnaire_follow_up": {
        "el": ("Έξι μήνες μετά", "Έξι μήνες μετά το {cycle}: πώς τα πάτε; Δύο ερωτήσεις: {link} Έως {closes_on}."),
        "en": ("Six months later", "Six months after {cycle}: how are you doing? Two questions: {link} By {closes_on}."),
        "ar": ("بعد ستة أشهر", "بعد ستة أشهر من {cycle}: كيف حالك؟ سؤالان: {link} قبل {closes_on}."),
        "fa": ("شش ماه بعد", "شش ماه پس از {cycle}: حال شما چطور است؟ دو پرسش: {link} تا {closes_on}."),
        "uk": ("Через шість місяців", "Шість місяців після {cycle}: як у вас справи? Два питання: {link} До {closes_on}."),
        "fr": ("Six mois après", "Six mois après {cycle} : comment allez-vous ? Deux questions : {link} Avant le {closes_on}."),
    },
    "questionnaire_reminder": {
        "el": ("Υπενθύμιση ερωτηματολογίου", "Υπενθύμιση: οι ερωτήσεις για το {cycle} σας περιμένουν: {link} Κλείνουν στις {closes_on}."),
        "en": ("Questionnaire reminder", "Reminder: your questions about {cycle} are waiting: {link} They close on {closes_on}."),
        "ar": ("تذكير بالاستبيان", "تذكير: أسئلتك حول {cycle} بانتظارك: {link} تُغلق في {closes_on}."),
        "fa": ("یادآوری پرسشنامه", "یادآوری: پرسش‌های شما درباره {cycle} منتظر پاسخ است: {link} در {closes_on} بسته می‌شود."),
        "uk": ("Нагадування", "Нагадування: ваші питання щодо {cycle} чекають: {link} Закриваються {closes_on}."),
        "fr": ("Rappel du questionnaire", "Rappel : vos questions sur {cycle} vous attendent : {link} Elles ferment le {closes_on}."),
    },
    "application_received": {
        "el": ("Λάβαμε την αίτησή σας", "Λάβαμε την αίτησή σας στο {school}. Αριθμός αίτησης: {reference}. Θα σας στείλουμε μήνυμα για το τεστ κατάταξης."),
        "en": ("Application received", "We have your application to {school}. Your reference: {reference}. We will send you a message about a placement test."),
        "ar": ("استلمنا طلبك", "استلمنا طلبك إلى {school}. رقم الطلب: {reference}. سنرسل لك رسالة بخصوص اختبار تحديد المستوى."),
        "fa": ("درخواست شما رسید", "درخواست شما به {school} رسید. شماره پیگیری: {reference}. برای آزمون تعیین سطح به شما پیام می‌دهیم."),
        "uk": ("Заявку отримано", "Ми отримали вашу заявку до {school}. Номер заявки: {reference}. Ми надішлемо повідомлення про тест на визначення рівня."),
        "fr": ("Demande reçue", "Nous avons reçu votre demande à {school}. Votre référence : {reference}. Nous vous enverrons un message pour un test de niveau."),
    },
    "placement_invitation": {
        "el": ("Τεστ κατάταξης", "Σας περιμένουμε στο τεστ κατάταξης ελληνικών: {date}, {time}, {place}. Αριθμός αίτησης: {reference}."),
        "en": ("Placement test", "You are invited to a Greek placement test: {date}, {time}, {place}. Your reference: {reference}."),
        "ar": ("اختبار تحديد المستوى", "أنت مدعو إلى اختبار تحديد المستوى في اللغة اليونانية: {date}، {time}، {place}. رقم الطلب: {reference}."),
        "fa": ("آزمون تعیین سطح", "شما به آزمون تعیین سطح زبان یونانی دعوت شده‌اید: {date}، {time}، {place}. شماره پیگیری: {reference}."),
        "uk": ("Тест на рівень", "Запрошуємо вас на тест з грецької мови для визначення рівня: {date}, {time}, {place}. Номер заявки: {reference}."),
        "fr": ("Test de niveau", "Vous êtes invité(e) à un test de niveau de grec : {date}, {time}, {place}. Votre référence : {reference}."),
    },
    "placement_reminder": {
        "el": ("Υπενθύμιση: τεστ κατάταξης αύριο", "Υπενθύμιση: το τεστ κατάταξης είναι αύριο {date}, {time}, {place}."),
        "en": ("Reminder: placement test tomorrow", "Reminder: your Greek placement test is tomorrow, {date}, {time}, {place}."),
        "ar": ("تذكير: اختبار المستوى غداً", "تذكير: اختبار تحديد المستوى غداً، {date}، {time}، {place}."),
        "fa": ("یادآوری: آزمون تعیین سطح فردا", "یادآوری: آزمون تعیین سطح شما فردا است، {date}، {time}، {place}."),
        "uk": ("Нагадування: тест завтра", "Нагадування: тест з грецької мови завтра, {date}, {time}, {place}."),
        "fr": ("Rappel : test de niveau demain", "Rappel : votre test de niveau de grec est demain, {date}, {time}, {place}."),
    },
    "seat_offer": {
        "el": ("Σας προσφέρουμε θέση", "Υπάρχει θέση για εσάς στο τμήμα {cycle} ({level}), από {starts_on}. Αποδεχτείτε έως {expires_on} {expires_time}: {link}"),
        "en": ("A seat for you", "A seat is waiting for you in {cycle} ({level}), from {starts_on}. Accept by {expires_on} {expires_time}: {link}"),
        "ar": ("مقعد لك", "هناك مقعد لك في صف {cycle} ({level}) ابتداءً من {starts_on}. اقبله قبل {expires_on} {expires_time}: {link}"),
        "fa": ("یک جا برای شما", "در کلاس {cycle} ({level}) از {starts_on} یک جا برای شما هست. تا {expires_on} ساعت {expires_time} بپذیرید: {link}"),
        "uk": ("Місце для вас", "Для вас є місце в групі {cycle} ({level}) з {starts_on}. Прийміть до {expires_on} {expires_time}: {link}"),
        "fr": ("Une place pour vous", "Une place vous attend dans {cycle} ({level}), à partir du {starts_on}. Acceptez avant le {expires_on} {expires_time} : {link}"),
    },
    "seat_offer_expired": {
        "el": ("Η προσφορά θέσης έληξε", "Η προσφορά θέσης στο {cycle} έληξε. Αν θέλετε ακόμα να έρθετε, επικοινωνήστε με τη γραμματεία."),
        "en": ("Seat offer expired", "Your seat offer in {cycle} has expired. If you still want to come, please contact the school office."),
        "ar": ("انتهى عرض المقعد", "انتهت صلاحية عرض المقعد في {cycle}. إذا كنت لا تزال ترغب في الحضور، تواصل مع إدارة المدرسة."),
        "fa": ("مهلت پیشنهاد جا تمام شد", "مهلت پیشنهاد جا در {cycle} تمام شد. اگر هنوز می‌خواهید بیایید، با دفتر مدرسه تماس بگیرید."),
        "uk": ("Пропозиція місця закінчилася", "Термін пропозиції місця в {cycle} минув. Якщо ви ще хочете навчатися, зверніться до школи."),
        "fr": ("Offre de place expirée", "Votre offre de place dans {cycle} a expiré. Si vous souhaitez toujours venir, contactez le secrétariat."),
    },
    "application_declined": {
        "el": ("Η αίτησή σας", "Δυστυχώς δεν μπορούμε να σας προσφέρουμε θέση στο {school} αυτή τη φορά. Για πληροφορίες επικοινωνήστε με τη γραμματεία."),
        "en": ("Your application", "We are sorry: we cannot offer you a place at {school} this time. Please contact the school office for more information."),
        "ar": ("طلبك", "نأسف، لا يمكننا أن نقدم لك مكاناً في {school} هذه المرة. للمزيد من المعلومات تواصل مع إدارة المدرسة."),
        "fa": ("درخواست شما", "متأسفیم، این بار نمی‌توانیم در {school} به شما جا بدهیم. برای اطلاعات بیشتر با دفتر مدرسه تماس بگیرید."),
        "uk": ("Ваша заявка", "На жаль, цього разу ми не можемо запропонувати вам місце в {school}. Зверніться до школи за інформацією."),
        "fr": ("Votre demande", "Nous sommes désolés : nous ne pouvons pas vous proposer de place à {school} cette fois. Contactez le secrétariat pour en savoir plus."),
    },
}  # fmt: skip

import datetime as dt  # noqa: E402
import re  # noqa: E402

from babel.dates import format_date  # noqa: E402

FALLBACK = ("en", "el")
# Context values that are days, kept as ISO dates in the message's facts and written in the
# text as its language writes a day: "23 Νοεμβρίου" (the month in the genitive), "23 نوفمبر";
# exam dates with their year.
DAYS = {"date": "d MMMM", "moved_from": "d MMMM", "deadline": "d MMMM y",
        "exam_date": "d MMMM y", "closes_on": "d MMMM", "starts_on": "d MMMM",
        "expires_on": "d MMMM"}  # fmt: skip


def _shown(key: str, value: object, language: str) -> str:
    if value is None:
        return ""
    if key in DAYS and isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value), DAYS[key], locale=language)
        except ValueError:
            return value
    return str(value)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def kind_name(kind: str, language: str) -> str:
    """What a kind of message is called in ``language``: its e-mail subject ("Ακύρωση
    μαθήματος"), with the same fallbacks as the text; an unknown kind as it is stored."""
    texts = TEXTS.get(kind, {})
    for candidate in (language, *FALLBACK):
        if candidate in texts:
            return texts[candidate][0]
    return kind


def render(kind: str, language: str, context: dict[str, object]) -> tuple[str, str, str]:
    """(language used, subject, body) for a kind in a language, falling back to English, then
    Greek. Missing context values render as nothing rather than failing the message."""
    texts = TEXTS[kind]
    for candidate in (language, *FALLBACK):
        if candidate in texts:
            subject, body = texts[candidate]
            values = _Blank({k: _shown(k, v, candidate) for k, v in context.items()})
            # An empty value (no room) must not leave a double space behind.
            text = re.sub(r" {2,}", " ", body.format_map(values)).replace(" .", ".").strip()
            return candidate, subject.format_map(values), text
    raise KeyError(f"no text for {kind}")
