"""The protocol's messages to parents, through the real pipeline to a real SMTP server.

A step fires (a ``Firing`` row, as ``protocol.run`` writes it) and ``queue_step_message``
queues its message; the commit enqueues delivery (the immediate task backend runs it at
once) and an SMTP server on loopback (aiosmtpd) receives the e-mail as the parent gets it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import AbsenceReason, Mark, MarkStatus, Registration
from aanwezig.notifications import texts
from aanwezig.notifications.config import save_settings
from aanwezig.notifications.models import Message, MessageStatus, RecipientKind
from aanwezig.protocol import run
from aanwezig.protocol.messages import event_for, queue_step_message
from aanwezig.protocol.models import Firing
from aanwezig.protocol.services import steps_of, version_in_force
from aanwezig.protocol.vocabulary import TEMPLATES, StepSpec, parse_step
from aanwezig.roster.models import Channel, Student
from aanwezig.testing import factories as f
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=AMS)
#: School days before TODAY (Wednesday 18 November 2026) with one registered lesson each.
PAST_DAYS = [dt.date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13)]


@pytest.fixture(autouse=True)
def _ten_o_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def school_a(world):
    school = world.school_a
    school.phone = "+31201234567"
    school.save()
    create_default_absence_reasons(school)
    return school


def attend(student: Student, group, teacher, *, unexcused: int) -> None:
    """One registered lesson on each of ``PAST_DAYS``; the last ``unexcused`` missed."""
    reason = AbsenceReason.objects.get(school=student.school, code="ongeoorloofd")
    for index, day in enumerate(PAST_DAYS):
        lesson = f.make_lesson(group, teacher, day, start_time=dt.time(8, 30),
                               end_time=dt.time(9, 20))
        moment = dt.datetime.combine(day, dt.time(8, 35), tzinfo=AMS)
        Registration.objects.create(school=student.school, lesson=lesson, taken_by=teacher,
                                    taken_at=moment, updated_at=moment)
        if index >= len(PAST_DAYS) - unexcused:
            Mark.objects.create(school=student.school, lesson=lesson, student=student, date=day,
                                status=MarkStatus.ABSENT, reason=reason, created_by=teacher,
                                created_at=moment, updated_at=moment)


def default_step(student: Student, key: str) -> tuple[StepSpec, Any]:
    version = version_in_force(student.school, NOW)
    return next(s for s in steps_of(version) if s.key == key), version


def make_firing(student: Student, step: StepSpec, figures: dict[str, Any], *,
                start: dt.date, end: dt.date, version: Any = None) -> Firing:
    version = version or version_in_force(student.school, NOW)
    return Firing.objects.create(
        school=student.school, student=student, step_key=step.key, step_title=step.title,
        window_start=start, window_end=end, figures=figures, explanation="test", version=version,
        fired_at=NOW,
    )


def hours_6(student: Student) -> tuple[Firing, StepSpec]:
    step, version = default_step(student, "hours-6")
    firing = make_firing(student, step, {"hours": 6.0, "window_from": "2026-11-09",
                                         "window_to": "2026-11-13"},
                         start=dt.date(2026, 11, 9), end=dt.date(2026, 11, 13), version=version)
    return firing, step


def plain(received) -> str:
    """The e-mail's text part as the parent reads it (line ends as in the outbox)."""
    return received.get_body(("plain",)).get_content().replace("\r\n", "\n")


def email_parent(guardian, address: str, language: str = "nl") -> None:
    guardian.email = address
    guardian.preferred_channel = Channel.EMAIL
    guardian.language = language
    guardian.save()


def test_the_parent_gets_a_warm_e_mail_that_leads_with_presence(
        world, school_a, inbox, django_capture_on_commit_callbacks):
    email_parent(world.parent, "petra.jansen@example.test")
    attend(world.child_a, world.a1, world.teacher_a, unexcused=3)
    firing, step = hours_6(world.child_a)

    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_step_message(firing, template="concern", step=step, now=NOW)

    (message,) = queued
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.event == event_for("concern") and message.guardian == world.parent
    assert message.about_date == dt.date(2026, 11, 13) and message.urgent
    (received,) = inbox.messages
    assert received["To"].addresses[0].addr_spec == "petra.jansen@example.test"
    assert received["Subject"] == "Hoe gaat het met Sam?"
    text = plain(received)
    assert text.startswith(
        "Beste Petra Jansen,\n\nDit schooljaar was Sam er bij 7 van de 10 lessen (70%).")
    assert ("Dit viel ons op: In 4 schoolweken (van 9-11-2026 tot en met 13-11-2026) miste Sam "
            "6 lesuren zonder geldige reden.") in text
    assert "Wat gebeurt er nu?\n" + step.texts["nl"] in text
    # Sam's group has no mentor: the attendance desk is the contact and signs.
    assert ("Neem contact op met de verzuimbalie van Het Testcollege. U kunt deze e-mail "
            "beantwoorden of bellen met 020 123 4567.") in text
    assert text.rstrip().endswith("De verzuimbalie\nHet Testcollege")
    assert "{" not in text
    html = received.get_body(("html",)).get_content()
    assert "Dit schooljaar was Sam er bij 7 van de 10 lessen" in html and 'lang="nl"' in html


def test_the_mentor_and_the_desk_are_named_and_the_mentor_signs(world, school_a):
    email_parent(world.parent, "ouder.visser@example.test")
    f.link_guardian(world.other_a, world.parent)
    firing, step = hours_6(world.other_a)

    (message,) = queue_step_message(firing, template="concern", step=step, now=NOW)

    assert ("Neem contact op met Mira Mentor, de mentor van Daan, of met de verzuimbalie."
            in message.body_text)
    assert message.body_text.rstrip().endswith("Mira Mentor, mentor van Daan\nHet Testcollege")
    assert message.sender_name == "Mira Mentor, mentor van Daan · Het Testcollege"


def test_a_sweep_that_fires_the_step_sends_its_message(world, school_a):
    """The wiring: the protocol run fires ``hours-6`` from real registers and queues this."""
    email_parent(world.parent, "petra.jansen@example.test")
    attend(world.child_a, world.a1, world.teacher_a, unexcused=6)
    result = run.reevaluate(school_a, [world.child_a.pk], today=TODAY, now=NOW)
    assert {firing.step_key for firing in result.firings} == {"hours-6"}
    (message,) = Message.objects.filter(event=event_for("concern"))
    assert message.guardian == world.parent and message.channel == Channel.EMAIL
    assert message.body_text.startswith(
        "Beste Petra Jansen,\n\nDit schooljaar was Sam er bij 4 van de 10 lessen (40%).")
    assert ("Dit viel ons op: In 4 schoolweken (van 6-11-2026 tot en met 13-11-2026) miste "
            "Sam 6 lesuren zonder geldige reden.") in message.body_text


def test_a_second_call_for_the_same_firing_queues_nothing(world, school_a):
    firing, step = hours_6(world.child_a)
    assert len(queue_step_message(firing, template="concern", step=step, now=NOW)) == 1
    assert queue_step_message(firing, template="concern", step=step, now=NOW) == []
    assert Message.objects.filter(student=world.child_a).count() == 1
    # The weekly cap does not hold a protocol message back: it is the protocol's promise.
    save_settings(school_a, {"weekly_cap": 0}, actor=None)
    later = make_firing(world.child_a, step, {"hours": 6.0}, start=dt.date(2026, 11, 16),
                        end=dt.date(2026, 11, 17))
    assert len(queue_step_message(later, template="concern", step=step, now=NOW)) == 1


def test_an_adult_student_gets_it_themself_and_a_parent_only_with_consent(
        world, inbox, django_capture_on_commit_callbacks):
    email_parent(world.adult_parent, "ayse.demir@example.test")
    world.adult_user.email = "yusuf.demir@example.test"
    world.adult_user.save()
    create_default_absence_reasons(world.school_c)
    firing, step = hours_6(world.adult)

    with django_capture_on_commit_callbacks(execute=True):
        (message,) = queue_step_message(firing, template="concern", step=step, now=NOW)

    assert message.recipient_kind == RecipientKind.STUDENT
    assert not Message.objects.filter(guardian=world.adult_parent).exists()
    (received,) = inbox.messages
    assert received["To"].addresses[0].addr_spec == "yusuf.demir@example.test"
    assert received["Subject"] == "Hoe gaat het met je?"
    text = plain(received)
    assert text.startswith("Hoi Yusuf,\n\nDit schooljaar was je er bij")
    assert "miste je 6 lesuren zonder geldige reden" in text
    assert "Je bent 18 of ouder, dus je krijgt dit bericht zelf." in text
    assert "Je kunt deze e-mail beantwoorden" in text

    # With Yusuf's consent his mother hears about the next step too, in the parents' words.
    link = world.adult.guardian_links.get(guardian=world.adult_parent)
    link.adult_consent_contact = True
    link.save()
    step9, _version = default_step(world.adult, "hours-9")
    firing = make_firing(world.adult, step9, {"hours": 9.0, "window_from": "2026-11-02",
                                              "window_to": "2026-11-13"},
                         start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 13))
    queued = queue_step_message(firing, template="conversation", step=step9, now=NOW)
    kinds = {m.recipient_kind: m for m in queued}
    assert set(kinds) == {RecipientKind.STUDENT, RecipientKind.GUARDIAN}
    assert kinds[RecipientKind.GUARDIAN].body_text.startswith("Beste Ayse Demir,")
    assert kinds[RecipientKind.GUARDIAN].subject == "Uitnodiging voor een gesprek over Yusuf"


def test_a_turkish_parent_reads_turkish_with_the_schools_english_step_text_marked(world,
                                                                                  school_a):
    email_parent(world.parent, "petra@example.test", language="tr")
    firing, step = hours_6(world.child_a)
    (message,) = queue_step_message(firing, template="concern", step=step, now=NOW)
    assert message.language == "tr" and message.subject == "Sam nasıl?"
    assert "Sam, 4 okul haftası içinde (9-11-2026 – 13-11-2026) geçerli bir neden olmadan 6 ders " \
           "saati kaçırdı." in message.body_text
    assert step.texts["en"] + "\n(Okulun protokolündeki bu açıklama yalnızca İngilizce olarak " \
           "mevcuttur.)" in message.body_text


def test_a_text_message_is_short_and_still_leads_with_presence(world, school_a):
    world.parent.preferred_channel = Channel.SMS
    world.parent.save()
    attend(world.child_a, world.a1, world.teacher_a, unexcused=3)
    firing, step = hours_6(world.child_a)
    (message,) = queue_step_message(firing, template="concern", step=step, now=NOW)
    assert message.channel == Channel.SMS and message.subject == ""
    assert message.body_text.startswith(
        "Beste Petra Jansen, Sam was er dit schooljaar bij 70% van de lessen. Sam miste 6 "
        "lesuren zonder geldige reden in 4 schoolweken. We nemen contact met u op.")
    assert message.body_text.endswith("Bel 020 123 4567. De verzuimbalie, Het Testcollege")
    assert len(message.body_text) <= texts.SMS_MAX


# --- every template, trigger, language and channel -------------------------------------------

#: A trigger of each kind with the figures its firing stores, and the Dutch sentence about it.
TRIGGERS: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    ({"type": "unexcused_hours", "params": {"hours": 9, "weeks": 4}},
     {"hours": 9.5, "window_from": "2026-10-19", "window_to": "2026-11-13"},
     "In 4 schoolweken (van 19-10-2026 tot en met 13-11-2026) miste Sam 9,5 lesuren zonder "
     "geldige reden."),
    ({"type": "times_late", "params": {"times": 6}},
     {"times": 6, "window_from": "2026-09-01", "window_to": "2026-11-13"},
     "Van 1-9-2026 tot en met 13-11-2026 was Sam 6 keer te laat."),
    ({"type": "sick_reports", "params": {"times": 4, "weeks": 12}},
     {"reports": 4, "window_from": "2026-09-14", "window_to": "2026-11-12"},
     "In 12 schoolweken (van 14-9-2026 tot en met 12-11-2026) is Sam 4 keer ziek gemeld."),
    ({"type": "consecutive_sick_days", "params": {"days": 7}},
     {"days": 7, "window_from": "2026-11-05", "window_to": "2026-11-13"},
     "Sam is sinds 5-11-2026 ziek: 7 schooldagen achter elkaar."),
    ({"type": "luxury_absence", "params": {}},
     {"hours": 6, "window_from": "2026-10-26", "window_to": "2026-10-26", "leave_refused": False},
     "Op 26-10-2026 was Sam afwezig zonder geldige reden, vlak voor of na een vakantie of vrije "
     "dag."),
    ({"type": "long_absence", "params": {"weeks": 4}},
     {"days": 21, "window_from": "2026-10-12", "window_to": "2026-11-13"},
     "Sam is sinds 12-10-2026 niet op school geweest zonder geldige reden. Dat is nu langer dan "
     "4 schoolweken."),
    ({"type": "attendance_below", "params": {"percent": 90, "weeks": 8}},
     {"percent": 86.7, "lessons": 150, "present": 130, "window_from": "2026-09-28",
      "window_to": "2026-11-18"},
     "In de laatste 8 schoolweken was Sam er bij 130 van de 150 lessen (86,7%). Alle gemiste "
     "lessen tellen mee, ook door ziekte."),
]


def custom_step(trigger: dict[str, Any], template: str) -> StepSpec:
    return parse_step({
        "key": "test-step", "title": "Teststap", "role": "mentor", "when": [trigger],
        "then": [{"type": "message_guardians", "params": {"template": template}}],
        "texts": {"nl": "De mentor belt u deze week.", "en": "The mentor phones you this week."},
    })


@pytest.mark.parametrize(("trigger", "figures", "sentence"), TRIGGERS,
                         ids=[t[0]["type"] for t in TRIGGERS])
def test_what_the_school_noticed_is_said_in_plain_words_for_every_trigger(
        world, school_a, trigger, figures, sentence):
    step = custom_step(trigger, "concern")
    firing = make_firing(world.child_a, step, figures, start=dt.date(2026, 10, 12),
                         end=dt.date(2026, 11, 13))
    (message,) = queue_step_message(firing, template="concern", step=step, now=NOW)
    assert "Dit viel ons op: " + sentence + "\n" in message.body_text


CHANNELS = [(language, channel) for language in texts.LANGUAGES
            for channel in (Channel.EMAIL, Channel.SMS, Channel.LETTER)]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize(("language", "channel"), CHANNELS)
def test_every_template_renders_fully_in_every_language_and_channel(world, school_a, template,
                                                                    language, channel):
    # Long names, a mentor who signs: a text message must still fit whole.
    school_a.name = "Scholengemeenschap Testcollege"
    school_a.save()
    guardian = world.parent
    guardian.prefix, guardian.last_name = "van den", "Berg-Jansen"
    guardian.language, guardian.preferred_channel = language, channel
    guardian.email = guardian.email if channel == Channel.EMAIL else ""
    guardian.save()
    f.link_guardian(world.other_a, guardian)
    world.adult.user.language = language
    world.adult.user.save()
    cases = [(world.other_a, trigger) for trigger in TRIGGERS] + [(world.adult, TRIGGERS[6])]
    for n, (student, (trigger, figures, _sentence)) in enumerate(cases):
        step = custom_step(trigger, template)
        day = dt.date(2026, 10, 1) + dt.timedelta(days=n)
        firing = make_firing(student, step, figures, start=day, end=dt.date(2026, 11, 13))
        (message,) = queue_step_message(firing, template=template, step=step, now=NOW)
        for part in (message.subject, message.body_text, message.body_html):
            assert not texts.PLACEHOLDER.search(part), part
        assert student.given_name in message.body_text or language in ("pl", "uk")
        if message.channel == Channel.SMS:
            assert message.body_text.endswith(school_a.name), message.body_text  # not cut off
        else:
            assert message.subject and message.body_html
            assert message.body_text.rstrip().endswith(student.school.name)
            assert ("De mentor belt u deze week." in message.body_text
                    or "The mentor phones you this week." in message.body_text)


def test_an_unknown_template_is_refused(world, school_a):
    firing, step = hours_6(world.child_a)
    with pytest.raises(ValueError, match="template"):
        queue_step_message(firing, template="threat", step=step, now=NOW)


def test_the_message_log_names_a_protocol_message_in_words():
    from django.utils import translation

    from aanwezig.notifications.models import Message

    with translation.override("nl"):
        assert Message(event="protocol_late").get_event_display() == "protocol: te laat in de les"
        assert Message(event="compliment").get_event_display() == "compliment over aanwezigheid"
