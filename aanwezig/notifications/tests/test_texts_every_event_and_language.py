"""Every event renders in every language with a real student's data, fully filled in."""

from __future__ import annotations

import pytest

from aanwezig.notifications import texts
from aanwezig.notifications.models import Event, SchoolTemplate
from conftest import TODAY

CASES = [(event, language) for event in texts.EVENTS for language in texts.LANGUAGES]


@pytest.mark.parametrize(("event", "language"), CASES)
def test_every_event_renders_in_every_language_without_leftover_placeholders(world, event,
                                                                              language):
    world.school_a.phone = "+31201234567"
    world.school_a.save()
    context = texts.sample_context(event, world.child_a, TODAY, language)
    subject, text, html = texts.render_message(event, language, context, world.school_a)
    assert subject and text and html
    for part in (subject, text, html):
        assert not texts.PLACEHOLDER.search(part), part
    if event != Event.REGISTER_REMINDER:
        assert "Sam" in text
        assert "020 123 4567" in text
    sms = texts.render_message(event, language, context, world.school_a, sms=True)[1]
    assert 0 < len(sms) <= texts.SMS_MAX
    assert not texts.PLACEHOLDER.search(sms)


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_the_html_part_names_its_language_and_arabic_runs_right_to_left(world, language):
    context = texts.sample_context(Event.UNEXPLAINED_ABSENCE, world.child_a, TODAY, language)
    html = texts.render_message(Event.UNEXPLAINED_ABSENCE, language, context, world.school_a)[2]
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")


def test_the_mentor_signs_when_the_student_has_one(world):
    context = texts.sample_context(Event.UNEXPLAINED_ABSENCE, world.other_a, TODAY, "nl")
    text = texts.render_message(Event.UNEXPLAINED_ABSENCE, "nl", context, world.school_a)[1]
    assert "Mira Mentor, mentor van Daan" in text
    context = texts.sample_context(Event.UNEXPLAINED_ABSENCE, world.child_a, TODAY, "nl")
    text = texts.render_message(Event.UNEXPLAINED_ABSENCE, "nl", context, world.school_a)[1]
    assert "De verzuimbalie\nHet Testcollege" in text


def test_the_schools_own_text_replaces_the_default_for_parents(world):
    SchoolTemplate.objects.create(
        school=world.school_a, event=Event.UNEXPLAINED_ABSENCE, language="nl",
        subject="Waar is {roepnaam}?", body="Beste {ouder},\n\nBel ons even.",
        updated_at="2026-11-01T10:00:00+00:00",
    )
    context = texts.sample_context(Event.UNEXPLAINED_ABSENCE, world.child_a, TODAY, "nl")
    subject, text, _html = texts.render_message(Event.UNEXPLAINED_ABSENCE, "nl", context,
                                                world.school_a)
    assert subject == "Waar is Sam?"
    assert text == "Beste Petra Jansen,\n\nBel ons even."
    other = texts.render_message(Event.UNEXPLAINED_ABSENCE, "en", context, world.school_a)[0]
    assert other == "We missed Sam today"
