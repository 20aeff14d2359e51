"""The confirmation of a portal report (event ``report_confirmation``): shown is tested with the
pages; here it is sent, to the reporter and the other parent with authority, each in their
own language, with what was reported, for which days, and that the school knows now."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from aanwezig.attendance.models import AbsenceReport
from aanwezig.notifications import texts
from aanwezig.notifications.delivery import deliver_due
from aanwezig.notifications.models import Message, MessageStatus, RecipientKind
from aanwezig.portal import reports
from aanwezig.portal.tests.test_report_services import AMS, TOMORROW, sam
from aanwezig.portal.tests.test_report_services import reasons as _reasons  # noqa: F401
from aanwezig.portal.tests.test_report_services import (  # noqa: F401
    school_morning as _school_morning,
)
from aanwezig.roster.models import Channel
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("school_morning")


@pytest.fixture
def family(world):
    """Sam's mother reports (Dutch, e-mail); the father has authority and reads Turkish; a
    step-parent without authority also receives the school's messages."""
    mother = world.parent
    mother.email, mother.language = "petra@example.test", "nl"
    mother.save()
    father = f.make_guardian(world.board, given_name="Mehmet", last_name="Jansen",
                             email="mehmet@example.test", language="tr")
    f.link_guardian(world.child_a, father, has_authority=True)
    step = f.make_guardian(world.board, given_name="Stef", last_name="Stiefouder",
                           email="stef@example.test")
    f.link_guardian(world.child_a, step, has_authority=False, receives_messages=True)
    return mother, father, step


def body(guardian) -> str:
    return Message.objects.get(event=reports.REPORT_CONFIRMATION, guardian=guardian).body_text


def test_the_reporter_and_the_other_parent_with_authority_get_it_in_their_language(
        world, reasons, family):
    mother, father, step = family
    reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY,
                        expected_back=TOMORROW + dt.timedelta(days=1))
    sent = Message.objects.filter(event=reports.REPORT_CONFIRMATION)
    assert {(m.guardian, m.language, m.channel) for m in sent} == {
        (mother, "nl", Channel.EMAIL), (father, "tr", Channel.EMAIL)}
    assert all(m.urgent and m.student == world.child_a for m in sent)

    dutch = sent.get(guardian=mother)
    assert dutch.subject == "Ziekmelding van Sam ontvangen"
    assert dutch.body_text.startswith("Beste Petra Jansen,")
    assert "Sam is ziek gemeld. Ziek vanaf 18-11-2026. Verwacht weer op school: 20-11-2026." \
        in dutch.body_text
    assert "Gemeld door: Petra Jansen." in dutch.body_text
    assert "De school weet het nu." in dutch.body_text
    assert "U krijgt dus geen bericht dat Sam zonder reden afwezig is." in dutch.body_text
    assert "U kunt deze e-mail beantwoorden" in dutch.body_text
    assert 'lang="nl"' in dutch.body_html

    turkish = body(father)
    assert "Sayın Mehmet Jansen" in turkish
    assert "Sam hasta olarak bildirildi. Hastalık başlangıcı: 18-11-2026." in turkish
    assert "Bildiren: Petra Jansen." in turkish
    assert not Message.objects.filter(guardian=step).exists()


def test_each_kind_says_what_and_which_days(world, reasons, family):
    mother = family[0]
    report = reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY,
                                 start_time=dt.time(11, 0))
    assert "Ziek vanaf 18-11-2026, 11:00 uur." in body(mother)
    assert "Wanneer Sam weer op school komt, is nog niet bekend." in body(mother)
    Message.objects.all().delete()

    reports.report_better(sam(world), report, actor=world.parent_user, back_on=TOMORROW)
    text = body(mother)
    assert "Sam is weer beter gemeld. Weer op school vanaf 19-11-2026." in text
    assert "Welkom terug!" in text
    Message.objects.all().delete()

    reports.report_medical(sam(world), actor=world.parent_user, day=TOMORROW,
                           start_time=dt.time(9, 0), end_time=dt.time(10, 15))
    assert ("Sam heeft een afspraak bij een arts, tandarts of ziekenhuis. Op 19-11-2026 van "
            "09:00 tot 10:15 uur.") in body(mother)
    Message.objects.all().delete()

    reports.report_religious(sam(world), actor=world.parent_user,
                             start_date=TODAY + dt.timedelta(days=5),
                             end_date=TODAY + dt.timedelta(days=6))
    assert ("Sam is vrij vanwege een religieuze feestdag. Van 23-11-2026 tot en met "
            "24-11-2026.") in body(mother)


def test_the_e_mail_arrives_as_the_parent_reads_it(world, reasons, family, inbox,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY)
    assert deliver_due() == 0  # delivered on commit already
    received = {m["To"].addresses[0].addr_spec: m for m in inbox.messages}
    assert set(received) == {"petra@example.test", "mehmet@example.test"}
    mail = received["petra@example.test"]
    assert mail["Subject"] == "Ziekmelding van Sam ontvangen"
    assert "Sam is ziek gemeld." in mail.get_body(("plain",)).get_content()
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_confirmation_is_sent_once_per_report(world, reasons, family):
    report = reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY)
    count = Message.objects.count()
    assert reports.queue_confirmation(report, kind=reports.SICK, reporter=sam(world)) == []
    assert Message.objects.count() == count


def test_the_reporter_gets_it_even_when_the_school_sends_them_nothing_else(world, reasons):
    link = world.child_a.guardian_links.get(guardian=world.parent)
    link.receives_messages = False
    link.save()
    world.parent.preferred_channel = Channel.LETTER
    world.parent.save()
    reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY)
    (message,) = Message.objects.filter(event=reports.REPORT_CONFIRMATION)
    assert message.guardian == world.parent and message.channel == Channel.EMAIL


def test_no_confirmation_on_paper(world, reasons, family):
    father = family[1]
    father.email, father.phone, father.preferred_channel = "", "", Channel.LETTER
    father.save()
    reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY)
    assert not Message.objects.filter(guardian=father).exists()
    assert not Message.objects.filter(channel=Channel.LETTER).exists()


def test_an_adult_student_gets_their_own_and_a_parent_without_consent_nothing(world, reasons):
    world.adult_user.email = "yusuf.demir@example.test"
    world.adult_user.save()
    yusuf = reports.get_reportable(world.adult_user, world.adult.pk)
    reports.report_sick(yusuf, actor=world.adult_user, start_date=TODAY)
    (message,) = Message.objects.filter(event=reports.REPORT_CONFIRMATION)
    assert message.recipient_kind == RecipientKind.STUDENT
    assert message.address == "yusuf.demir@example.test"
    assert message.subject == "Je ziekmelding is ontvangen"
    assert message.body_text.startswith("Hoi Yusuf,")
    assert "Je bent ziek gemeld." in message.body_text
    assert "Gemeld door: Yusuf Demir." in message.body_text


def test_a_parent_with_consent_hears_of_the_adults_own_report(world, reasons):
    link = world.adult.guardian_links.get()
    link.adult_consent_view = link.adult_consent_contact = True
    link.save()
    yusuf = reports.get_reportable(world.adult_user, world.adult.pk)
    reports.report_sick(yusuf, actor=world.adult_user, start_date=TODAY)
    kinds = set(Message.objects.values_list("recipient_kind", flat=True))
    assert kinds == {RecipientKind.STUDENT, RecipientKind.GUARDIAN}


def test_a_failed_report_sends_nothing(world, reasons, family):
    with pytest.raises(Exception):  # noqa: B017 (any refusal)
        reports.report_religious(sam(world), actor=world.parent_user, start_date=TOMORROW)
    assert not Message.objects.exists() and not AbsenceReport.objects.exists()


@pytest.mark.parametrize("language", texts.LANGUAGES)
@pytest.mark.parametrize("kind", reports.KINDS)
def test_every_kind_reads_well_in_every_language_and_channel(world, reasons, language, kind):
    """No placeholder left, no diagnosis asked, a text message within two SMS parts, with a
    long school name and parent's name."""
    world.school_a.name = "Openbare Scholengemeenschap Het"  # 30 characters
    world.school_a.phone = "+31301234567"
    world.school_a.save()
    parent = world.parent
    parent.given_name, parent.last_name = "Anne-Marie Wilhelmina", "van den Heuvel-Jansen"
    parent.language = language
    parent.save()
    f.add_mentor(world.a1, f.make_staff(world.school_a, first_name="Maximiliaan",
                                        last_name="Vermeulen-Bakker"))
    report = AbsenceReport.objects.create(
        school=world.school_a, student=world.child_a, reason=reasons["ziek"],
        start_date=TODAY, start_time=dt.time(11), expected_end=TOMORROW,
        end_date=TODAY if kind == reports.BETTER else None, source="guardian",
        guardian=parent, created_at=dt.datetime(2026, 11, 18, 9, tzinfo=AMS))
    if kind == reports.MEDICAL:
        report.reason, report.end_date, report.end_time = (reasons["medisch"], TOMORROW,
                                                           dt.time(12))
    if kind == reports.RELIGIOUS:
        report.reason, report.end_date = reasons["religieus"], TOMORROW
    for channel in (Channel.EMAIL, Channel.SMS, Channel.PORTAL):
        parent.preferred_channel = channel
        parent.save()
        Message.objects.all().delete()
        with time_machine.travel(dt.datetime.combine(TODAY, dt.time(12), tzinfo=AMS)):
            (message,) = reports.queue_confirmation(report, kind=kind, reporter=sam(world))
        text = message.subject + "\n" + message.body_text
        assert not re.search(r"\{[a-z_]+\}", text), text
        assert "Maximiliaan" in text  # signed by the mentor
        if channel == Channel.SMS:
            assert len(message.body_text) <= texts.SMS_MAX and not message.subject
            assert message.body_text.endswith("Openbare Scholengemeenschap Het"), text
        else:
            assert message.subject
            assert "18-11-2026" in text or "19-11-2026" in text
