"""The wording of every message: default texts per event and language, the school's own texts,
and the facts that fill them.

A text is a plain file ``templates/notifications/<event>/<language>.txt``: the subject on
the first line, the body below. ``<language>.sms.txt`` is the short text for a text message
(no subject) and ``<language>.student.txt`` the version for an adult student who gets the
message themself. Placeholders are single braces with a Dutch name, ``{roepnaam}``, so that
a school can edit its own text without learning a template language (see
``docs/messages.md``). The HTML part is made from the text, so both always say the same.

The texts follow the research on messages to parents (``docs`` domain §5): lead with
presence, a named sender, say what happens next and what the parent can do, invite a
reply, never threaten.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import TemplateDoesNotExist, loader
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aanwezig.audit.services import record_change
from aanwezig.lib.phone import display as display_phone
from aanwezig.notifications.models import Event, SchoolTemplate
from aanwezig.roster.models import GroupMentor, Language, Membership, Student, active_membership_q
from aanwezig.schools.models import School

EVENTS: list[str] = list(Event.values)
LANGUAGES: list[str] = list(Language.values)
DEFAULT_LANGUAGE = "nl"
RTL_LANGUAGES = frozenset({"ar"})
#: A text message longer than two SMS parts is cut; the default texts stay well below.
SMS_MAX = 320
#: Audiences with their own text files; a school's own text replaces only the parents' text.
PARENT, STUDENT, STAFF = "parent", "student", "staff"

#: Channels, as stored on ``Message.channel`` (kept as strings: the roster app owns the choices).
EMAIL, SMS, PORTAL, LETTER = "email", "sms", "portal", "letter"

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

#: Every placeholder a text may use, with what it means (shown on the preview page).
PLACEHOLDERS: dict[str, Any] = {
    "ouder": gettext_lazy("the parent's name (or the student's, for an adult student)"),
    "naam": gettext_lazy("the recipient's name"),
    "roepnaam": gettext_lazy("the student's first name as used (roepnaam)"),
    "leerling": gettext_lazy("the student's full name"),
    "school": gettext_lazy("the school's name"),
    "telefoon": gettext_lazy("the school's phone number"),
    "schoolmail": gettext_lazy("the school's e-mail address"),
    "antwoord": gettext_lazy("how to reply: the sentence depends on the channel (e-mail, portal, letter)"),
    "afzender": gettext_lazy("who signs: the mentor, or the attendance desk"),
    "contactpersoon": gettext_lazy("whom to contact: the mentor, or the attendance desk"),
    "tijd": gettext_lazy("start of the first missed lesson (unexplained absence)"),
    "datum": gettext_lazy("the day the message is about"),
    "aanwezig": gettext_lazy("lessons present"),
    "lessen": gettext_lazy("lessons counted"),
    "gemist": gettext_lazy("lessons missed"),
    "registraties": gettext_lazy("the lessons without a register (register reminder)"),
}

#: Phrases that depend on the language: how the mentor and the desk are named.
PHRASES: dict[str, dict[str, str]] = {
    "nl": {
        "desk_sender": "De verzuimbalie",
        "desk_contact": "de verzuimbalie van {school}",
        "mentor_sender": "{mentor}, mentor van {roepnaam}",
        "mentor_contact": "{mentor}, de mentor van {roepnaam}",
        "no_phone": "de school",
    },
    "en": {
        "desk_sender": "The attendance desk",
        "desk_contact": "the attendance desk of {school}",
        "mentor_sender": "{mentor}, mentor of {roepnaam}",
        "mentor_contact": "{mentor}, the mentor of {roepnaam}",
        "no_phone": "the school",
    },
    "tr": {
        "desk_sender": "Devamsızlık bürosu",
        "desk_contact": "{school} devamsızlık bürosu",
        "mentor_sender": "{mentor} (rehber öğretmen)",
        "mentor_contact": "rehber öğretmen {mentor}",
        "no_phone": "okul",
    },
    "ar": {
        "desk_sender": "مكتب الحضور",
        "desk_contact": "مكتب الحضور في {school}",
        "mentor_sender": "{mentor} (المرشد الدراسي)",
        "mentor_contact": "المرشد الدراسي {mentor}",
        "no_phone": "المدرسة",
    },
    "pl": {
        "desk_sender": "Sekretariat szkoły",
        "desk_contact": "sekretariatem szkoły ({school})",
        "mentor_sender": "{mentor} (wychowawca)",
        "mentor_contact": "wychowawcą ({mentor})",
        "no_phone": "szkoła",
    },
    "uk": {
        "desk_sender": "Адміністрація школи",
        "desk_contact": "адміністрації школи ({school})",
        "mentor_sender": "{mentor} (класний керівник)",
        "mentor_contact": "класного керівника ({mentor})",
        "no_phone": "школа",
    },
}


#: How to reply, per language, audience and channel: ``{antwoord}`` in a text. An e-mail can
#: be answered, a portal message in the portal; a letter (and a text message, whose short
#: texts have their own wording) gives the phone number and, when known, the school's
#: e-mail address (``letter_mail``). Tone as in each language's texts: "u" for Dutch
#: parents, "je" for students.
REPLIES: dict[str, dict[str, dict[str, str]]] = {
    "nl": {
        PARENT: {
            EMAIL: "U kunt deze e-mail beantwoorden of bellen met {telefoon}.",
            PORTAL: "U kunt hier in het portaal antwoorden of bellen met {telefoon}.",
            LETTER: "U kunt ons bellen met {telefoon}.",
            "letter_mail": "U kunt ons bellen met {telefoon} of mailen naar {schoolmail}.",
        },
        STUDENT: {
            EMAIL: "Je kunt deze e-mail beantwoorden of bellen met {telefoon}.",
            PORTAL: "Je kunt hier in het portaal antwoorden of bellen met {telefoon}.",
            LETTER: "Je kunt ons bellen met {telefoon}.",
            "letter_mail": "Je kunt ons bellen met {telefoon} of mailen naar {schoolmail}.",
        },
    },
    "en": {
        PARENT: {
            EMAIL: "You can reply to this e-mail or call {telefoon}.",
            PORTAL: "You can reply here in the portal or call {telefoon}.",
            LETTER: "You can call us on {telefoon}.",
            "letter_mail": "You can call us on {telefoon} or e-mail us at {schoolmail}.",
        },
    },
    "tr": {
        PARENT: {
            EMAIL: "Bu e-postayı yanıtlayabilir ya da bizi arayabilirsiniz: {telefoon}.",
            PORTAL: "Burada, portalda yanıtlayabilir ya da bizi arayabilirsiniz: {telefoon}.",
            LETTER: "Bizi arayabilirsiniz: {telefoon}.",
            "letter_mail": "Bizi arayabilir ({telefoon}) ya da {schoolmail} adresine "
                           "e-posta gönderebilirsiniz.",
        },
    },
    "ar": {
        PARENT: {
            EMAIL: "يمكنكم الرد على هذه الرسالة أو الاتصال بنا: {telefoon}.",
            PORTAL: "يمكنكم الرد هنا في البوابة أو الاتصال بنا: {telefoon}.",
            LETTER: "يمكنكم الاتصال بنا: {telefoon}.",
            "letter_mail": "يمكنكم الاتصال بنا: {telefoon}، أو مراسلتنا على {schoolmail}.",
        },
    },
    "pl": {
        PARENT: {
            EMAIL: "Wystarczy odpowiedzieć na tę wiadomość albo zadzwonić do nas: {telefoon}.",
            PORTAL: "Wystarczy odpowiedzieć tutaj, w portalu, albo zadzwonić do nas: {telefoon}.",
            LETTER: "Prosimy zadzwonić do nas: {telefoon}.",
            "letter_mail": "Prosimy zadzwonić do nas: {telefoon} albo napisać na adres {schoolmail}.",
        },
    },
    "uk": {
        PARENT: {
            EMAIL: "Ви можете відповісти на цей лист або зателефонувати нам: {telefoon}.",
            PORTAL: "Ви можете відповісти тут, у порталі, або зателефонувати нам: {telefoon}.",
            LETTER: "Ви можете зателефонувати нам: {telefoon}.",
            "letter_mail": "Ви можете зателефонувати нам: {telefoon} або написати на {schoolmail}.",
        },
    },
}


#: The protocol's messages (``protocol.messages``): what the school noticed, per trigger of
#: the step that fired, filled with the firing's figures; how to reach the mentor and the
#: desk; and a note when the step's own text exists only in another language. Per
#: language and audience like ``REPLIES``; students ("je") only in Dutch and English, as
#: their message files. Placeholders: ``{roepnaam}``, ``{n}`` (the figure), ``{eenheid}``
#: (lesuren or klokuren), ``{weken}``, ``{van}``, ``{tot}``, ``{aanwezig_n}``,
#: ``{lessen_n}``, ``{procent_n}``, ``{mentor}``, ``{school}``, ``{taal}``; ``sms`` holds the
#: short sentences (no dates) for text messages, which must stay under ``SMS_MAX``. Never a
#: diagnosis: sickness is counted, never named. The Turkish, Arabic, Polish and Ukrainian
#: wording needs a native speaker's review (docs/messages.md).
PROTOCOL_PHRASES: dict[str, dict[str, dict[str, Any]]] = {
    "nl": {
        PARENT: {
            "hours": "In {weken} schoolweken (van {van} tot en met {tot}) miste {roepnaam} "
                     "{n} {eenheid} zonder geldige reden.",
            "late": "Van {van} tot en met {tot} was {roepnaam} {n} keer te laat.",
            "sick_reports": "In {weken} schoolweken (van {van} tot en met {tot}) is {roepnaam} "
                            "{n} keer ziek gemeld.",
            "sick_days": "{roepnaam} is sinds {van} ziek: {n} schooldagen achter elkaar.",
            "luxury": "Op {van} was {roepnaam} afwezig zonder geldige reden, vlak voor of na "
                      "een vakantie of vrije dag.",
            "luxury_leave": "Op {van} was {roepnaam} afwezig zonder geldige reden, op een dag "
                            "waarvoor geen verlof was gegeven.",
            "long": "{roepnaam} is sinds {van} niet op school geweest zonder geldige reden. Dat "
                    "is nu langer dan {weken} schoolweken.",
            "below": "In de laatste {weken} schoolweken was {roepnaam} er bij {aanwezig_n} van "
                     "de {lessen_n} lessen ({procent_n}%). Alle gemiste lessen tellen mee, ook "
                     "door ziekte.",
            "sms": {
                "hours": "{roepnaam} miste {n} {eenheid} zonder geldige reden in {weken} "
                         "schoolweken.",
                "late": "{roepnaam} was {n} keer te laat.",
                "sick_reports": "{roepnaam} is {n} keer ziek gemeld in {weken} schoolweken.",
                "sick_days": "{roepnaam} is al {n} schooldagen ziek.",
                "luxury": "{roepnaam} was op {van} zonder geldige reden afwezig, naast een "
                          "vakantie.",
                "luxury_leave": "{roepnaam} was op {van} afwezig zonder geldige reden en zonder "
                                "verlof.",
                "long": "{roepnaam} is sinds {van} niet op school geweest zonder geldige reden.",
                "below": "De laatste {weken} schoolweken was {roepnaam} er bij {procent_n}% van "
                         "de lessen.",
            },
            "contact_mentor": "{mentor}, de mentor van {roepnaam}, of met de verzuimbalie",
            "contact_desk": "de verzuimbalie van {school}",
            "other_language": "(Deze uitleg uit het protocol van de school is er alleen in het "
                              "{taal}.)",
            "languages": {"en": "Engels", "nl": "Nederlands"},
            "units": {"lesuur": ("lesuur", "lesuren"), "klokuur": ("uur", "uur")},
        },
        STUDENT: {
            "hours": "In {weken} schoolweken (van {van} tot en met {tot}) miste je {n} "
                     "{eenheid} zonder geldige reden.",
            "late": "Van {van} tot en met {tot} was je {n} keer te laat.",
            "sick_reports": "In {weken} schoolweken (van {van} tot en met {tot}) ben je {n} keer "
                            "ziek gemeld.",
            "sick_days": "Je bent sinds {van} ziek: {n} schooldagen achter elkaar.",
            "luxury": "Op {van} was je afwezig zonder geldige reden, vlak voor of na een "
                      "vakantie of vrije dag.",
            "luxury_leave": "Op {van} was je afwezig zonder geldige reden, op een dag waarvoor "
                            "geen verlof was gegeven.",
            "long": "Je bent sinds {van} niet op school geweest zonder geldige reden. Dat is nu "
                    "langer dan {weken} schoolweken.",
            "below": "In de laatste {weken} schoolweken was je er bij {aanwezig_n} van de "
                     "{lessen_n} lessen ({procent_n}%). Alle gemiste lessen tellen mee, ook door "
                     "ziekte.",
            "contact_mentor": "{mentor}, je mentor, of met de verzuimbalie",
        },
    },
    "en": {
        PARENT: {
            "hours": "In {weken} school weeks ({van} to {tot}), {roepnaam} missed {n} {eenheid} "
                     "without a valid reason.",
            "late": "From {van} to {tot}, {roepnaam} was late {n} times.",
            "sick_reports": "In {weken} school weeks ({van} to {tot}), {roepnaam} was reported "
                            "sick {n} times.",
            "sick_days": "{roepnaam} has been ill since {van}: {n} school days in a row.",
            "luxury": "On {van}, {roepnaam} was absent without a valid reason, just before or "
                      "after a holiday or a day off.",
            "luxury_leave": "On {van}, {roepnaam} was absent without a valid reason, on a day "
                            "for which leave was not granted.",
            "long": "{roepnaam} has not been at school since {van}, without a valid reason. That "
                    "is now more than {weken} school weeks.",
            "below": "In the last {weken} school weeks, {roepnaam} was there for {aanwezig_n} of "
                     "the {lessen_n} lessons ({procent_n}%). All missed lessons count, also those "
                     "missed through illness.",
            "sms": {
                "hours": "{roepnaam} missed {n} {eenheid} without a valid reason in {weken} "
                         "school weeks.",
                "late": "{roepnaam} was late {n} times.",
                "sick_reports": "{roepnaam} was reported sick {n} times in {weken} school "
                                "weeks.",
                "sick_days": "{roepnaam} has been ill for {n} school days.",
                "luxury": "On {van}, {roepnaam} was absent without a valid reason, next to a "
                          "holiday.",
                "luxury_leave": "On {van}, {roepnaam} was absent without a valid reason and "
                                "without leave.",
                "long": "{roepnaam} has not been at school since {van}, without a valid reason.",
                "below": "In the last {weken} school weeks, {roepnaam} was there for "
                         "{procent_n}% of the lessons.",
            },
            "contact_mentor": "{mentor}, the mentor of {roepnaam}, or the attendance desk",
            "contact_desk": "the attendance desk of {school}",
            "other_language": "(This explanation from the school's protocol is only available "
                              "in {taal}.)",
            "languages": {"en": "English", "nl": "Dutch"},
            "units": {"lesuur": ("lesson hour", "lesson hours"), "klokuur": ("hour", "hours")},
        },
        STUDENT: {
            "hours": "In {weken} school weeks ({van} to {tot}), you missed {n} {eenheid} without "
                     "a valid reason.",
            "late": "From {van} to {tot}, you were late {n} times.",
            "sick_reports": "In {weken} school weeks ({van} to {tot}), you were reported sick "
                            "{n} times.",
            "sick_days": "You have been ill since {van}: {n} school days in a row.",
            "luxury": "On {van}, you were absent without a valid reason, just before or after a "
                      "holiday or a day off.",
            "luxury_leave": "On {van}, you were absent without a valid reason, on a day for "
                            "which leave was not granted.",
            "long": "You have not been at school since {van}, without a valid reason. That is "
                    "now more than {weken} school weeks.",
            "below": "In the last {weken} school weeks, you were there for {aanwezig_n} of the "
                     "{lessen_n} lessons ({procent_n}%). All missed lessons count, also those "
                     "missed through illness.",
            "contact_mentor": "{mentor}, your mentor, or the attendance desk",
        },
    },
    "tr": {
        PARENT: {
            "hours": "{roepnaam}, {weken} okul haftası içinde ({van} – {tot}) geçerli bir neden "
                     "olmadan {n} {eenheid} kaçırdı.",
            "late": "{roepnaam}, {van} – {tot} arasında derse {n} kez geç kaldı.",
            "sick_reports": "{roepnaam} için {weken} okul haftası içinde ({van} – {tot}) {n} kez "
                            "hastalık bildirimi yapıldı.",
            "sick_days": "{roepnaam} {van} tarihinden beri hasta: art arda {n} okul günü.",
            "luxury": "{roepnaam}, {van} tarihinde geçerli bir neden olmadan okulda yoktu. Bu "
                      "gün bir tatilin ya da izin gününün hemen öncesinde veya sonrasındaydı.",
            "luxury_leave": "{roepnaam}, {van} tarihinde geçerli bir neden olmadan okulda yoktu. "
                            "O gün için izin verilmemişti.",
            "long": "{roepnaam} {van} tarihinden beri geçerli bir neden olmadan okula gelmiyor. "
                    "Bu süre artık {weken} okul haftasından uzun.",
            "below": "Son {weken} okul haftasında {roepnaam} {lessen_n} dersin {aanwezig_n} "
                     "tanesinde okuldaydı (%{procent_n}). Hastalık nedeniyle kaçırılan dersler "
                     "de dahil olmak üzere bütün kaçırılan dersler sayılır.",
            "sms": {
                "hours": "{roepnaam}, {weken} okul haftasında geçerli bir neden olmadan {n} "
                         "{eenheid} kaçırdı.",
                "late": "{roepnaam} derse {n} kez geç kaldı.",
                "sick_reports": "{roepnaam} için {weken} okul haftasında {n} kez hastalık "
                                "bildirimi yapıldı.",
                "sick_days": "{roepnaam} {n} okul günüdür hasta.",
                "luxury": "{roepnaam}, tatile bitişik {van} tarihinde geçerli bir neden "
                          "olmadan okulda yoktu.",
                "luxury_leave": "{roepnaam}, {van} tarihinde izinsiz ve geçerli bir neden "
                                "olmadan okulda yoktu.",
                "long": "{roepnaam} {van} tarihinden beri geçerli bir neden olmadan okula "
                        "gelmiyor.",
                "below": "Son {weken} okul haftasında {roepnaam} derslerin %{procent_n} "
                         "kadarında okuldaydı.",
            },
            "contact_mentor": "rehber öğretmen {mentor} ya da devamsızlık bürosu",
            "contact_desk": "{school} devamsızlık bürosu",
            "other_language": "(Okulun protokolündeki bu açıklama yalnızca {taal} olarak "
                              "mevcuttur.)",
            "languages": {"en": "İngilizce", "nl": "Felemenkçe"},
            "units": {"lesuur": ("ders saati", "ders saati"), "klokuur": ("saat", "saat")},
        },
    },
    "ar": {
        PARENT: {
            "hours": "خلال {weken} أسابيع دراسية ({van} – {tot}) تغيّب {roepnaam} {n} {eenheid} "
                     "دون سبب مقبول.",
            "late": "من {van} إلى {tot} تأخّر {roepnaam} عن الدروس {n} مرات.",
            "sick_reports": "خلال {weken} أسابيع دراسية ({van} – {tot}) أُبلغنا بمرض {roepnaam} "
                            "{n} مرات.",
            "sick_days": "{roepnaam} مريض منذ {van}: {n} أيام دراسية متتالية.",
            "luxury": "في {van} تغيّب {roepnaam} دون سبب مقبول، قبل عطلة أو يوم إجازة أو "
                      "بعدهما مباشرة.",
            "luxury_leave": "في {van} تغيّب {roepnaam} دون سبب مقبول، في يوم لم تُمنح له إجازة "
                            "فيه.",
            "long": "لم يحضر {roepnaam} إلى المدرسة منذ {van} دون سبب مقبول، وقد مضى على ذلك "
                    "أكثر من {weken} أسابيع دراسية.",
            "below": "في آخر {weken} أسابيع دراسية حضر {roepnaam} {aanwezig_n} درسًا من أصل "
                     "{lessen_n} ({procent_n}%). تُحسب كل الدروس الفائتة، ومنها الدروس الفائتة "
                     "بسبب المرض.",
            "sms": {
                "hours": "تغيّب {roepnaam} {n} {eenheid} دون سبب مقبول خلال {weken} أسابيع "
                         "دراسية.",
                "late": "تأخّر {roepnaam} {n} مرات.",
                "sick_reports": "أُبلغنا بمرض {roepnaam} {n} مرات خلال {weken} أسابيع دراسية.",
                "sick_days": "{roepnaam} مريض منذ {n} أيام دراسية.",
                "luxury": "تغيّب {roepnaam} في {van} دون سبب مقبول، بجانب عطلة.",
                "luxury_leave": "تغيّب {roepnaam} في {van} دون سبب مقبول ودون إجازة.",
                "long": "لم يحضر {roepnaam} إلى المدرسة منذ {van} دون سبب مقبول.",
                "below": "في آخر {weken} أسابيع دراسية حضر {roepnaam} {procent_n}% من الدروس.",
            },
            "contact_mentor": "المرشد الدراسي {mentor} أو مكتب الحضور",
            "contact_desk": "مكتب الحضور في {school}",
            "other_language": "(هذا الشرح من نظام الحضور في المدرسة متوفر باللغة {taal} فقط.)",
            "languages": {"en": "الإنجليزية", "nl": "الهولندية"},
            "units": {"lesuur": ("حصة دراسية", "حصص دراسية"), "klokuur": ("ساعة", "ساعات")},
        },
    },
    "pl": {
        PARENT: {
            "hours": "W ciągu {weken} tygodni szkolnych ({van} – {tot}) Państwa dziecko "
                     "({roepnaam}) opuściło bez ważnego powodu {n} {eenheid}",
            "late": "Od {van} do {tot} Państwa dziecko ({roepnaam}) spóźniło się {n} razy.",
            "sick_reports": "W ciągu {weken} tygodni szkolnych ({van} – {tot}) Państwa dziecko "
                            "({roepnaam}) zostało zgłoszone jako chore {n} razy.",
            "sick_days": "Państwa dziecko ({roepnaam}) choruje od {van}: to już {n}. dzień "
                         "szkolny z rzędu.",
            "luxury": "W dniu {van} Państwa dziecko ({roepnaam}) było nieobecne bez ważnego "
                      "powodu, tuż przed feriami lub dniem wolnym albo tuż po nich.",
            "luxury_leave": "W dniu {van} Państwa dziecko ({roepnaam}) było nieobecne bez "
                            "ważnego powodu, w dniu, na który nie udzielono zwolnienia.",
            "long": "Państwa dziecko ({roepnaam}) nie przychodzi do szkoły bez ważnego powodu od "
                    "{van}. To już dłużej niż okres {weken} tygodni szkolnych.",
            "below": "W ostatnich {weken} tygodniach szkolnych Państwa dziecko ({roepnaam}) było "
                     "obecne na {aanwezig_n} z {lessen_n} lekcji ({procent_n}%). Liczą się "
                     "wszystkie opuszczone lekcje, także z powodu choroby.",
            "sms": {
                "hours": "Dziecko opuściło bez ważnego powodu {n} {eenheid} w ciągu {weken} "
                         "tygodni szkolnych.",
                "late": "Dziecko spóźniło się {n} razy.",
                "sick_reports": "Dziecko zostało zgłoszone jako chore {n} razy w ciągu {weken} "
                                "tygodni szkolnych.",
                "sick_days": "Dziecko choruje już {n}. dzień szkolny z rzędu.",
                "luxury": "W dniu {van}, tuż przy feriach, dziecko było nieobecne bez "
                          "ważnego powodu.",
                "luxury_leave": "W dniu {van} dziecko było nieobecne bez ważnego powodu i bez "
                                "zwolnienia.",
                "long": "Dziecko nie przychodzi do szkoły bez ważnego powodu od {van}.",
                "below": "W ostatnich {weken} tygodniach szkolnych dziecko było obecne na "
                         "{procent_n}% lekcji.",
            },
            "contact_mentor": "wychowawcą ({mentor}) lub sekretariatem szkoły",
            "contact_desk": "sekretariatem szkoły ({school})",
            "other_language": "(To wyjaśnienie z regulaminu szkoły jest dostępne tylko w języku "
                              "{taal}.)",
            "languages": {"en": "angielskim", "nl": "niderlandzkim"},
            "units": {"lesuur": ("godz. lekc.", "godz. lekc."), "klokuur": ("godz.", "godz.")},
        },
    },
    "uk": {
        PARENT: {
            "hours": "За період {van} – {tot} ({weken} навч. тиж.) ваша дитина ({roepnaam}) "
                     "пропустила без поважної причини {n} {eenheid}",
            "late": "За період {van} – {tot} ваша дитина ({roepnaam}) запізнювалася на уроки. "
                    "Кількість запізнень: {n}.",
            "sick_reports": "За період {van} – {tot} ({weken} навч. тиж.) нам повідомляли про "
                            "хворобу вашої дитини ({roepnaam}). Кількість повідомлень: {n}.",
            "sick_days": "Ваша дитина ({roepnaam}) хворіє з {van}. Навчальних днів поспіль: {n}.",
            "luxury": "{van} ваша дитина ({roepnaam}) була відсутня без поважної причини, "
                      "безпосередньо перед канікулами чи вихідним днем або одразу після них.",
            "luxury_leave": "{van} ваша дитина ({roepnaam}) була відсутня без поважної причини в "
                            "день, на який не було надано дозволу.",
            "long": "Ваша дитина ({roepnaam}) не відвідує школу без поважної причини з {van}. "
                    "Це вже понад {weken} навч. тиж.",
            "below": "За останні {weken} навч. тиж. ваша дитина ({roepnaam}) була присутня на "
                     "{aanwezig_n} з {lessen_n} уроків ({procent_n}%). Враховуються всі "
                     "пропущені уроки, зокрема через хворобу.",
            "sms": {
                "hours": "Дитина пропустила без поважної причини {n} {eenheid} за {weken} "
                         "навч. тиж.",
                "late": "Кількість запізнень дитини: {n}.",
                "sick_reports": "Повідомлень про хворобу дитини за {weken} навч. тиж.: {n}.",
                "sick_days": "Дитина хворіє. Навчальних днів поспіль: {n}.",
                "luxury": "{van}, поруч із канікулами, дитина була відсутня без поважної "
                          "причини.",
                "luxury_leave": "{van} дитина була відсутня без поважної причини і без "
                                "дозволу.",
                "long": "Дитина не відвідує школу без поважної причини з {van}.",
                "below": "За останні {weken} навч. тиж. дитина була на {procent_n}% уроків.",
            },
            "contact_mentor": "класного керівника ({mentor}) або адміністрації школи",
            "contact_desk": "адміністрації школи ({school})",
            "other_language": "(Це пояснення з правил школи доступне лише {taal} мовою.)",
            "languages": {"en": "англійською", "nl": "нідерландською"},
            "units": {"lesuur": ("ак. год.", "ак. год."), "klokuur": ("год.", "год.")},
        },
    },
}


def protocol_phrases(language: str, audience: str = PARENT) -> dict[str, Any]:
    """The protocol phrases for ``language`` and ``audience``: the student's wording where it
    exists, the parents' for the rest (an unknown language falls back to Dutch)."""
    forms = PROTOCOL_PHRASES[normal_language(language)]
    return {**forms[PARENT], **(forms.get(audience) or {})}


def reply_sentence(language: str, context: dict[str, Any], *, channel: str = EMAIL,
                   audience: str = PARENT) -> str:
    """``{antwoord}``: how to reply on ``channel``, filled with the school's phone and e-mail.

    E-mail and portal name their own way of answering; every other channel (letter, text
    message, a call task) gives the phone number and, when the school has one, its e-mail.
    """
    forms = REPLIES[normal_language(language)]
    words = forms.get(audience) or forms[PARENT]
    if channel in (EMAIL, PORTAL):
        key = channel
    else:
        key = "letter_mail" if context.get("schoolmail") else LETTER
    return fill(words[key], context)


def reply_for_channel(text: str, language: str, school: School, *, audience: str,
                      old: str, new: str) -> str:
    """``text`` rendered for channel ``old`` with its ``{antwoord}`` sentence worded for ``new``.

    A fallback copies a rendered message to another channel; the facts that filled it are
    not stored, but the reply sentence only depends on the school, so it can be swapped.
    A text without the sentence (a school's own wording, a text message) stays as it is.
    """
    context = school_context(school, language)
    for lang in dict.fromkeys([normal_language(language), DEFAULT_LANGUAGE]):
        before = reply_sentence(lang, context, channel=old, audience=audience)
        if before in text:
            after = reply_sentence(lang, context, channel=new, audience=audience)
            return text.replace(before, after)
    return text


@dataclass(frozen=True)
class Text:
    subject: str
    body: str
    #: The language of the file the text came from (a missing translation falls back to Dutch).
    language: str = ""


def normal_language(language: str) -> str:
    return language if language in PHRASES else DEFAULT_LANGUAGE


def fill(text: str, context: dict[str, Any]) -> str:
    """Replace ``{name}`` placeholders with the context's values; unknown names stay visible
    (the preview shows them, and the tests look for them)."""
    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(context[key]) if key in context else match.group(0)

    return PLACEHOLDER.sub(value, text)


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in ``text`` that no message fills (for checking a school's own text)."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def _source(name: str) -> str | None:
    try:
        return str(loader.get_template(name).template.source)  # type: ignore[attr-defined]
    except TemplateDoesNotExist:
        return None


def split_subject(source: str) -> Text:
    subject, _, body = source.partition("\n")
    return Text(subject=subject.strip(), body=body.strip("\n"))


def default_text(event: str, language: str, *, audience: str = PARENT, sms: bool = False) -> Text:
    """The text that ships with the product, falling back to Dutch and to the parents' e-mail."""
    language = normal_language(language)
    names = []
    if audience == STUDENT:
        names += [f"notifications/{event}/{language}.student.txt",
                  f"notifications/{event}/{DEFAULT_LANGUAGE}.student.txt"]
    if sms:
        names.insert(0, f"notifications/{event}/{language}.sms.txt")
    names += [f"notifications/{event}/{language}.txt",
              f"notifications/{event}/{DEFAULT_LANGUAGE}.txt"]
    for name in names:
        source = _source(name)
        if source is not None:
            found = name.rsplit("/", 1)[-1].split(".", 1)[0]
            if name.endswith(".sms.txt"):
                return Text(subject="", body=source.strip(), language=found)
            text = split_subject(source)
            return Text(subject=text.subject, body=text.body, language=found)
    raise TemplateDoesNotExist(f"notifications/{event}/{language}.txt")


def school_text(school: School, event: str, language: str) -> Text | None:
    own = SchoolTemplate.objects.filter(school=school, event=event, language=language).first()
    return Text(subject=own.subject, body=own.body) if own is not None else None


def to_html(subject: str, text: str, language: str) -> str:
    """The HTML part: the same text in paragraphs, lists kept, right to left for Arabic."""
    blocks: list[dict[str, Any]] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in chunk.splitlines() if line.strip()]
        items = [line[2:] for line in lines if line.startswith("- ")]
        head = [line for line in lines if not line.startswith("- ")]
        if items and all(line.startswith("- ") for line in lines[len(lines) - len(items):]):
            blocks.append({"lines": head, "items": items})
        else:
            blocks.append({"lines": lines, "items": []})
    return render_to_string("notifications/email.html", {
        "subject": subject, "blocks": blocks, "language": language,
        "direction": "rtl" if language in RTL_LANGUAGES else "ltr",
    })


def render_message(event: str, language: str, context: dict[str, Any], school: School, *,
                   audience: str = PARENT, sms: bool = False, channel: str = "",
                   own: Text | None = None) -> tuple[str, str, str]:
    """Return (subject, text, html) for ``event`` in ``language`` with ``context`` filled in.

    The school's own text (``SchoolTemplate``) replaces the default for parents' e-mail;
    ``own`` previews a text that is not saved yet. Text messages always use the short
    default and are cut at ``SMS_MAX`` characters. ``channel`` (e-mail unless given, or
    SMS with ``sms``) decides how ``{antwoord}`` tells the recipient to reply.
    """
    language = normal_language(language)
    channel = channel or (SMS if sms else EMAIL)
    text = None
    if audience == PARENT and not sms:
        text = own or school_text(school, event, language)
    text = text or default_text(event, language, audience=audience, sms=sms)
    context = {**context, **phrases(language, context)}
    context["antwoord"] = reply_sentence(text.language or language, context, channel=channel,
                                         audience=audience)
    subject = fill(text.subject, context)
    body = fill(text.body, context)
    if sms:
        body = " ".join(body.split())[:SMS_MAX]
        return "", body, ""
    return subject, body, to_html(subject, body, language)


def phrases(language: str, context: dict[str, Any]) -> dict[str, str]:
    """``afzender`` and ``contactpersoon`` in ``language``: the mentor when known, else the desk."""
    words = PHRASES[normal_language(language)]
    if context.get("mentor"):
        return {"afzender": fill(words["mentor_sender"], context),
                "contactpersoon": fill(words["mentor_contact"], context)}
    return {"afzender": words["desk_sender"], "contactpersoon": fill(words["desk_contact"], context)}


# --- the facts that fill a text ----------------------------------------------------------------

def mentor_of(student: Student, day: dt.date) -> Any:
    """The first mentor of a group the student is in on ``day``, or None."""
    groups = Membership.objects.filter(active_membership_q(day), student=student).values("group_id")
    link = (GroupMentor.objects.filter(group_id__in=groups).select_related("user")
            .order_by("group__name", "pk").first())
    return link.user if link is not None else None


def format_date(day: dt.date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def school_context(school: School, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    phone = display_phone(school.phone) if school.phone else PHRASES[normal_language(language)]["no_phone"]
    return {"school": school.name, "telefoon": phone, "schoolmail": school.email}


def student_context(student: Student, day: dt.date, *, language: str = DEFAULT_LANGUAGE,
                    greeting: str = "", mentor: Any = None) -> dict[str, Any]:
    """The facts about a student that every parent message may use.

    ``greeting`` is the recipient's name (the parent, or the student themself);
    ``mentor`` may be passed when already known, to spare a query per recipient.
    """
    if mentor is None:
        mentor = mentor_of(student, day)
    mentor_name = (mentor.get_full_name() or mentor.username) if mentor else ""
    return {
        **school_context(student.school, language),
        "roepnaam": student.given_name,
        "leerling": student.full_name,
        "ouder": greeting or student.given_name,
        "naam": greeting or student.given_name,
        "mentor": mentor_name,
        "datum": format_date(day),
    }


def sample_context(event: str, student: Student, day: dt.date, language: str) -> dict[str, Any]:
    """Context for previewing ``event`` with a real student and plausible figures."""
    link = student.guardian_links.select_related("guardian").order_by("pk").first()
    greeting = link.guardian.full_name if link is not None else student.given_name
    context = student_context(student, day, language=language, greeting=greeting)
    context.update(tijd="08:30", aanwezig=96, lessen=100, gemist=4,
                   registraties="- 08:30 1A Nederlands")
    if event == Event.COMPLIMENT:
        context.update(aanwezig=78, lessen=80, gemist=2)
    if event == Event.REGISTER_REMINDER:
        context.update(naam="Dirk Docent", ouder="Dirk Docent", mentor="")
    return context


# --- the school's own texts (writes) -----------------------------------------------------------

def _check_text_right(actor: Any, school: School) -> None:
    from aanwezig.notifications.queries import may_edit_texts
    from aanwezig.schools.services import deny

    if actor is not None and not may_edit_texts(actor, school):
        raise deny()


@transaction.atomic
def save_school_text(school: School, *, event: str, language: str, subject: str, body: str,
                     actor: Any) -> SchoolTemplate:
    """Store the school's own wording of ``event`` in ``language`` (replacing the default)."""
    _check_text_right(actor, school)
    errors: list[ValidationError] = []
    if event not in EVENTS or language not in LANGUAGES:
        errors.append(ValidationError(_("Choose a message and a language."), code="unknown_text"))
    if not subject.strip() or not body.strip():
        errors.append(ValidationError(_("Write a subject and a text."), code="empty_text"))
    unknown = unknown_placeholders(subject + "\n" + body)
    if unknown:
        errors.append(ValidationError(
            _("Unknown placeholders: %(names)s."), code="unknown_placeholder",
            params={"names": ", ".join("{" + name + "}" for name in unknown)}))
    if errors:
        raise ValidationError(errors)
    own, created = SchoolTemplate.objects.update_or_create(
        school=school, event=event, language=language,
        defaults={"subject": subject.strip()[:200], "body": body.strip().replace("\r\n", "\n"),
                  "updated_at": timezone.now(),
                  "updated_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    record_change(actor=actor, action="create" if created else "update", obj=own,
                  changes={"event": event, "language": language})
    return own


@transaction.atomic
def reset_school_text(school: School, *, event: str, language: str, actor: Any) -> bool:
    """Go back to the default text; False when the school had no text of its own."""
    _check_text_right(actor, school)
    own = SchoolTemplate.objects.filter(school=school, event=event, language=language).first()
    if own is None:
        return False
    record_change(actor=actor, action="delete", obj=own,
                  changes={"event": event, "language": language})
    own.delete()
    return True
