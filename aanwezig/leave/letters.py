"""The decision on a leave request, on paper and as a message.

* ``render_letter`` — the decision letter as a PDF (A4, WeasyPrint, in Dutch like every formal
  decision of the school): who asked what, the decision and its reason, and the **objection
  route**: bezwaar within 6 weeks to the one who decided (the school head or the
  leerplichtambtenaar), then appeal to the court. Rendered when asked for, from the stored
  decision; nothing is kept on disk.
* ``queue_decision_message`` — the ``leave_decision`` message to the parent who asked, in
  their language and channel, through the normal pipeline
  (``templates/notifications/leave_decision/<language>[.sms].txt``). The phrases that depend
  on the outcome are in ``PHRASES``; the Turkish, Arabic, Polish and Ukrainian wording needs a
  native speaker's review, like the other messages (docs/messages.md).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from aanwezig.leave.models import DecidedBy, LeaveKind, LeaveRequest, LeaveStatus
from aanwezig.notifications import texts
from aanwezig.notifications.models import Message, RecipientKind
from aanwezig.notifications.services import Recipient, guardian_channels, queue_message
from aanwezig.roster.models import Channel, Membership, StudentGuardian, active_membership_q
from aanwezig.schools.models import PartnerKind, Role, StaffRole

#: ``Message.event`` of the decision and the folder of its texts.
EVENT = "leave_decision"
#: Weeks within which the parent may object (Awb art. 6:7).
OBJECTION_WEEKS = 6

#: Per language: the kinds of leave, the school days, the decision per outcome and decider,
#: the explanation, what the parent needs to know next, whom to object to, the short outcome
#: of a text message and the signature. Placeholders as in the message texts.
PHRASES: dict[str, dict[str, Any]] = {
    "nl": {
        "kinds": {LeaveKind.HOLIDAY_13A: "vakantieverlof",
                  LeaveKind.IMPORTANT_14: "verlof wegens gewichtige omstandigheden"},
        "days": ("{n} schooldag", "{n} schooldagen"),
        "decided": {
            (LeaveStatus.APPROVED, DecidedBy.SCHOOL_HEAD): "De directeur heeft het verlof toegekend.",
            (LeaveStatus.REFUSED, DecidedBy.SCHOOL_HEAD): "De directeur heeft het verlof niet toegekend.",
            (LeaveStatus.APPROVED, DecidedBy.LEERPLICHT): "De leerplichtambtenaar heeft het verlof toegekend.",
            (LeaveStatus.REFUSED, DecidedBy.LEERPLICHT): "De leerplichtambtenaar heeft het verlof niet toegekend.",
        },
        "explanation": "Toelichting: {tekst}",
        "approved_note": "Het verlof staat in de registratie van de school. U hoeft {roepnaam} op "
                         "deze dagen niet af te melden.",
        "refused_note": "We hopen {roepnaam} op deze dagen gewoon op school te zien.",
        "decider": {DecidedBy.SCHOOL_HEAD: "de directeur van {school}",
                    DecidedBy.LEERPLICHT: "de leerplichtambtenaar"},
        "short": {LeaveStatus.APPROVED: "toegekend", LeaveStatus.REFUSED: "niet toegekend"},
        "signature": "De schoolleiding",
    },
    "en": {
        "kinds": {LeaveKind.HOLIDAY_13A: "holiday leave",
                  LeaveKind.IMPORTANT_14: "leave for important circumstances"},
        "days": ("{n} school day", "{n} school days"),
        "decided": {
            (LeaveStatus.APPROVED, DecidedBy.SCHOOL_HEAD): "The head of the school has granted the leave.",
            (LeaveStatus.REFUSED, DecidedBy.SCHOOL_HEAD): "The head of the school has not granted the leave.",
            (LeaveStatus.APPROVED, DecidedBy.LEERPLICHT): "The leerplichtambtenaar (compulsory "
                                                          "education officer) has granted the leave.",
            (LeaveStatus.REFUSED, DecidedBy.LEERPLICHT): "The leerplichtambtenaar (compulsory "
                                                         "education officer) has not granted the leave.",
        },
        "explanation": "Explanation: {tekst}",
        "approved_note": "The leave is in the school's register. You do not need to report "
                         "{roepnaam} absent on these days.",
        "refused_note": "We hope to see {roepnaam} at school on these days as usual.",
        "decider": {DecidedBy.SCHOOL_HEAD: "the head of {school}",
                    DecidedBy.LEERPLICHT: "the leerplichtambtenaar"},
        "short": {LeaveStatus.APPROVED: "granted", LeaveStatus.REFUSED: "not granted"},
        "signature": "The school management",
    },
    "tr": {
        "kinds": {LeaveKind.HOLIDAY_13A: "tatil izni",
                  LeaveKind.IMPORTANT_14: "önemli nedenlerle izin"},
        "days": ("{n} okul günü", "{n} okul günü"),
        "decided": {
            (LeaveStatus.APPROVED, DecidedBy.SCHOOL_HEAD): "Okul müdürü izni onayladı.",
            (LeaveStatus.REFUSED, DecidedBy.SCHOOL_HEAD): "Okul müdürü izni onaylamadı.",
            (LeaveStatus.APPROVED, DecidedBy.LEERPLICHT): "Zorunlu eğitim görevlisi "
                                                          "(leerplichtambtenaar) izni onayladı.",
            (LeaveStatus.REFUSED, DecidedBy.LEERPLICHT): "Zorunlu eğitim görevlisi "
                                                         "(leerplichtambtenaar) izni onaylamadı.",
        },
        "explanation": "Açıklama: {tekst}",
        "approved_note": "İzin okulun kayıtlarına işlendi. Bu günler için {roepnaam} adına ayrıca "
                         "bildirim yapmanıza gerek yok.",
        "refused_note": "Bu günlerde {roepnaam} her zamanki gibi okulda görmeyi umuyoruz.",
        "decider": {DecidedBy.SCHOOL_HEAD: "{school} okul müdürüne",
                    DecidedBy.LEERPLICHT: "zorunlu eğitim görevlisine (leerplichtambtenaar)"},
        "short": {LeaveStatus.APPROVED: "onaylandı", LeaveStatus.REFUSED: "onaylanmadı"},
        "signature": "Okul yönetimi",
    },
    "ar": {
        "kinds": {LeaveKind.HOLIDAY_13A: "إجازة عطلة",
                  LeaveKind.IMPORTANT_14: "إجازة لظروف مهمة"},
        "days": ("{n} يوم دراسي", "{n} أيام دراسية"),
        "decided": {
            (LeaveStatus.APPROVED, DecidedBy.SCHOOL_HEAD): "وافق مدير المدرسة على الإجازة.",
            (LeaveStatus.REFUSED, DecidedBy.SCHOOL_HEAD): "لم يوافق مدير المدرسة على الإجازة.",
            (LeaveStatus.APPROVED, DecidedBy.LEERPLICHT): "وافق موظف التعليم الإلزامي "
                                                          "(leerplichtambtenaar) على الإجازة.",
            (LeaveStatus.REFUSED, DecidedBy.LEERPLICHT): "لم يوافق موظف التعليم الإلزامي "
                                                         "(leerplichtambtenaar) على الإجازة.",
        },
        "explanation": "التوضيح: {tekst}",
        "approved_note": "الإجازة مسجّلة لدى المدرسة. لا تحتاجون إلى الإبلاغ عن غياب {roepnaam} "
                         "في هذه الأيام.",
        "refused_note": "نأمل أن نرى {roepnaam} في المدرسة في هذه الأيام كالمعتاد.",
        "decider": {DecidedBy.SCHOOL_HEAD: "مدير {school}",
                    DecidedBy.LEERPLICHT: "موظف التعليم الإلزامي (leerplichtambtenaar)"},
        "short": {LeaveStatus.APPROVED: "تمت الموافقة", LeaveStatus.REFUSED: "لم تتم الموافقة"},
        "signature": "إدارة المدرسة",
    },
    "pl": {
        "kinds": {LeaveKind.HOLIDAY_13A: "zwolnienie na wyjazd wakacyjny",
                  LeaveKind.IMPORTANT_14: "zwolnienie z ważnych powodów"},
        "days": ("dni szkolne: {n}", "dni szkolne: {n}"),
        "decided": {
            (LeaveStatus.APPROVED, DecidedBy.SCHOOL_HEAD): "Dyrektor szkoły udzielił zwolnienia.",
            (LeaveStatus.REFUSED, DecidedBy.SCHOOL_HEAD): "Dyrektor szkoły nie udzielił zwolnienia.",
            (LeaveStatus.APPROVED, DecidedBy.LEERPLICHT): "Urzędnik ds. obowiązku szkolnego "
                                                          "(leerplichtambtenaar) udzielił zwolnienia.",
            (LeaveStatus.REFUSED, DecidedBy.LEERPLICHT): "Urzędnik ds. obowiązku szkolnego "
                                                         "(leerplichtambtenaar) nie udzielił "
                                                         "zwolnienia.",
        },
        "explanation": "Uzasadnienie: {tekst}",
        "approved_note": "Zwolnienie jest zapisane w rejestrze szkoły. Nie muszą Państwo "
                         "zgłaszać nieobecności dziecka ({roepnaam}) w tych dniach.",
        "refused_note": "Mamy nadzieję, że w tych dniach zobaczymy dziecko ({roepnaam}) w szkole "
                        "jak zwykle.",
        "decider": {DecidedBy.SCHOOL_HEAD: "dyrektora szkoły ({school})",
                    DecidedBy.LEERPLICHT: "urzędnika ds. obowiązku szkolnego "
                                          "(leerplichtambtenaar)"},
        "short": {LeaveStatus.APPROVED: "udzielono zwolnienia",
                  LeaveStatus.REFUSED: "nie udzielono zwolnienia"},
        "signature": "Dyrekcja szkoły",
    },
    "uk": {
        "kinds": {LeaveKind.HOLIDAY_13A: "відпустку на час відпочинку",
                  LeaveKind.IMPORTANT_14: "відпустку через важливі обставини"},
        "days": ("навчальних днів: {n}", "навчальних днів: {n}"),
        "decided": {
            (LeaveStatus.APPROVED, DecidedBy.SCHOOL_HEAD): "Директор школи надав відпустку.",
            (LeaveStatus.REFUSED, DecidedBy.SCHOOL_HEAD): "Директор школи не надав відпустку.",
            (LeaveStatus.APPROVED, DecidedBy.LEERPLICHT): "Інспектор з обов'язкового навчання "
                                                          "(leerplichtambtenaar) надав відпустку.",
            (LeaveStatus.REFUSED, DecidedBy.LEERPLICHT): "Інспектор з обов'язкового навчання "
                                                         "(leerplichtambtenaar) не надав "
                                                         "відпустку.",
        },
        "explanation": "Пояснення: {tekst}",
        "approved_note": "Відпустку внесено до шкільного обліку. Вам не потрібно повідомляти про "
                         "відсутність дитини ({roepnaam}) у ці дні.",
        "refused_note": "Сподіваємося побачити дитину ({roepnaam}) у школі в ці дні, як завжди.",
        "decider": {DecidedBy.SCHOOL_HEAD: "директора школи ({school})",
                    DecidedBy.LEERPLICHT: "інспектора з обов'язкового навчання "
                                          "(leerplichtambtenaar)"},
        "short": {LeaveStatus.APPROVED: "надано", LeaveStatus.REFUSED: "не надано"},
        "signature": "Адміністрація школи",
    },
}


def phrases_for(language: str) -> dict[str, Any]:
    return PHRASES[texts.normal_language(language)]


def decision_context(leave: LeaveRequest, language: str) -> dict[str, Any]:
    """The placeholders of the ``leave_decision`` texts for ``leave`` in ``language``:
    ``{soort}``, ``{van}``, ``{tot}``, ``{dagen}``, ``{besluit}``, ``{toelichting}``,
    ``{beslisser}``, ``{kort}`` and ``{ondertekening}``, with the school and the student."""
    words = phrases_for(language)
    student = leave.student
    base = {**texts.school_context(leave.school, language), "roepnaam": student.given_name,
            "leerling": student.full_name}
    one, many = words["days"]
    approved = leave.status == LeaveStatus.APPROVED
    notes = []
    if leave.decision_text:
        notes.append(texts.fill(words["explanation"], {"tekst": leave.decision_text}))
    notes.append(texts.fill(words["approved_note" if approved else "refused_note"], base))
    return {
        **base,
        "soort": words["kinds"][leave.kind],
        "van": texts.format_date(leave.start_date),
        "tot": texts.format_date(leave.end_date),
        "dagen": texts.fill(one if leave.school_days == 1 else many, {"n": leave.school_days}),
        "besluit": words["decided"][(leave.status, leave.decided_by_kind)],
        "toelichting": "\n".join(notes),
        "beslisser": texts.fill(words["decider"][leave.decided_by_kind], base),
        "kort": words["short"][leave.status],
        "ondertekening": words["signature"],
        "datum": texts.format_date(timezone.localdate(leave.decided_at)
                                   if leave.decided_at else timezone.localdate()),
    }


def decision_recipient(leave: LeaveRequest, day: dt.date) -> Recipient | None:
    """The parent who asked, in their language and best channel; None when the school may
    not contact them (an adult student without consent) or they are no longer linked. The
    decision answers their own request, so ``receives_messages`` does not hold it back."""
    guardian = leave.requested_by
    if guardian is None:
        return None
    link = StudentGuardian.objects.filter(student=leave.student, guardian=guardian).first()
    if link is None:
        return None
    if leave.student.is_adult_on(day) and not link.adult_consent_contact:
        return None
    channel, address = guardian_channels(guardian)[0]
    return Recipient(kind=RecipientKind.GUARDIAN, guardian=guardian, student=leave.student,
                     staff=None, language=guardian.language, channel=channel, address=address)


def queue_decision_message(leave: LeaveRequest, *, now: dt.datetime | None = None) -> Message | None:
    """Queue the ``leave_decision`` message to the parent who asked (once per decision; urgent,
    as a decision is never held back by the weekly cap). None when there is nobody to tell."""
    if leave.status not in (LeaveStatus.APPROVED, LeaveStatus.REFUSED):
        return None
    now = now or timezone.now()
    school = leave.school
    day = timezone.localtime(now, zoneinfo.ZoneInfo(school.timezone)).date()
    recipient = decision_recipient(leave, day)
    if recipient is None:
        return None
    sms = recipient.channel == Channel.SMS
    language = texts.default_text(EVENT, recipient.language, sms=sms).language
    context = {**decision_context(leave, language),
               "ouder": recipient.guardian.full_name if recipient.guardian else ""}
    subject, body, html = texts.render_message(EVENT, language, context, school, sms=sms,
                                               channel=recipient.channel)
    return queue_message(
        school=school, event=EVENT, recipient=recipient, subject=subject, body_text=body,
        body_html=html, student=leave.student, about_date=leave.start_date,
        dedupe_key=f"leave:{leave.pk}:{leave.status}",
        sender_name=f"{phrases_for(language)['signature']} · {school.name}", urgent=True,
    )


# --- the letter ----------------------------------------------------------------------------------

def _signer_is_leader(leave: LeaveRequest) -> bool:
    """Whether the one who recorded the decision is a school leader (signs as such) or signs
    on the school head's behalf."""
    user = leave.decided_by
    if user is None:
        return False
    return StaffRole.objects.filter(school_id=leave.school_id, user=user,
                                    role=Role.SCHOOL_LEADER).exists()


def letter_context(leave: LeaveRequest) -> dict[str, Any]:
    """What the letter template shows: the request, the decision, the one who decided and
    where the parent objects, and the leerplicht partner of the school when known."""
    partner = leave.school.partners.filter(kind=PartnerKind.LEERPLICHT).order_by("pk").first()
    decided_on = (timezone.localdate(leave.decided_at) if leave.decided_at
                  else timezone.localdate())
    groups = Membership.objects.filter(active_membership_q(decided_on),
                                       student=leave.student).values_list("group__name",
                                                                           flat=True)
    return {
        "leave": leave, "school": leave.school, "student": leave.student,
        "groups": ", ".join(sorted(groups)),
        "school_address": ", ".join(line.strip() for line in leave.school.address.splitlines()
                                    if line.strip()),
        "guardian": leave.requested_by,
        "address_lines": [line.strip() for line in (leave.requested_by.address
                                                   if leave.requested_by else "").splitlines()
                          if line.strip()],
        "approved": leave.status == LeaveStatus.APPROVED,
        "by_leerplicht": leave.decided_by_kind == DecidedBy.LEERPLICHT,
        "holiday": leave.kind == LeaveKind.HOLIDAY_13A,
        "decided_on": decided_on,
        "objection_weeks": OBJECTION_WEEKS,
        "partner": partner,
        "signer": leave.decided_by.display_name() if leave.decided_by else "",
        "signer_is_leader": _signer_is_leader(leave),
    }


def render_letter(leave: LeaveRequest) -> bytes:
    """The decision letter on A4 (WeasyPrint), in Dutch; only for a decided request."""
    from weasyprint import HTML

    if leave.status not in (LeaveStatus.APPROVED, LeaveStatus.REFUSED):
        raise ValueError("only a decided request has a letter")
    with translation.override("nl"):
        html = render_to_string("leave/letter.html", letter_context(leave))
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return pdf


def letter_filename(leave: LeaveRequest) -> str:
    return f"besluit-verlof-{leave.student.school_key}-{leave.start_date:%Y-%m-%d}.pdf"
