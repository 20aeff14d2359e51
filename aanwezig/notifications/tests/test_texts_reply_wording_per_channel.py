"""How to reply depends on the channel: only an e-mail says "reply to this e-mail"; a letter
gives the phone (and the school's e-mail), the portal says to answer in the portal."""

from __future__ import annotations

import pytest

from aanwezig.notifications import delivery, events, texts
from aanwezig.notifications.channels.letter.transport import LetterTransport
from aanwezig.notifications.letters import waiting_letters
from aanwezig.notifications.models import Event, Message
from aanwezig.notifications.services import recipients_for
from aanwezig.testing import factories as f
from conftest import TODAY

#: The e-mail reply sentence of each language, as it stood in the texts before.
EMAIL_REPLY = {
    "nl": "e-mail beantwoorden",
    "en": "reply to this e-mail",
    "tr": "e-postayı yanıtla",
    "ar": "الرد على هذه الرسالة",
    "pl": "odpowiedzieć na tę wiadomość",
    "uk": "відповісти на цей лист",
}
REPLY_EVENTS = [Event.UNEXPLAINED_ABSENCE, Event.MONTHLY_OVERVIEW, Event.COMPLIMENT]
CASES = [(event, language, audience) for event in texts.EVENTS for language in texts.LANGUAGES
         for audience in (texts.PARENT, texts.STUDENT)]


def _render(world, event, language, audience, channel):
    context = texts.sample_context(event, world.child_a, TODAY, language)
    return texts.render_message(event, language, context, world.school_a, audience=audience,
                                channel=channel)


def _email_words(text: str) -> list[str]:
    lowered = text.lower()
    return [words for words in EMAIL_REPLY.values() if words.lower() in lowered]


@pytest.mark.parametrize(("event", "language", "audience"), CASES)
def test_letter_and_portal_never_ask_to_reply_to_the_email(world, event, language, audience):
    world.school_a.phone = "+31201234567"
    world.school_a.email = "balie@testcollege.example"
    world.school_a.save()
    for channel in (texts.LETTER, texts.PORTAL):
        subject, text, html = _render(world, event, language, audience, channel)
        assert not texts.PLACEHOLDER.search(text), text
        assert _email_words(text) == [], (channel, text)
        assert _email_words(html) == [], (channel, html)
        if event in REPLY_EVENTS:
            assert "020 123 4567" in text
    email = _render(world, event, language, audience, texts.EMAIL)[1]
    assert not texts.PLACEHOLDER.search(email)
    if event in REPLY_EVENTS:
        assert _email_words(email), email


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_letter_gives_the_school_email_when_known_else_only_the_phone(world, language):
    world.school_a.phone = "+31201234567"
    world.school_a.email = ""
    world.school_a.save()
    text = _render(world, Event.UNEXPLAINED_ABSENCE, language, texts.PARENT, texts.LETTER)[1]
    assert "020 123 4567" in text
    assert "@" not in text
    world.school_a.email = "balie@testcollege.example"
    world.school_a.save()
    text = _render(world, Event.UNEXPLAINED_ABSENCE, language, texts.PARENT, texts.LETTER)[1]
    assert "balie@testcollege.example" in text


def test_dutch_wording_per_channel(world):
    world.school_a.phone = "+31201234567"
    world.school_a.email = "balie@testcollege.example"
    world.school_a.save()
    render = lambda audience, channel: _render(  # noqa: E731
        world, Event.UNEXPLAINED_ABSENCE, "nl", audience, channel)[1]
    assert "U kunt deze e-mail beantwoorden of bellen met 020 123 4567." in render(
        texts.PARENT, texts.EMAIL)
    assert ("U kunt ons bellen met 020 123 4567 of mailen naar balie@testcollege.example."
            in render(texts.PARENT, texts.LETTER))
    assert "U kunt hier in het portaal antwoorden of bellen met 020 123 4567." in render(
        texts.PARENT, texts.PORTAL)
    assert "Je kunt hier in het portaal antwoorden" in render(texts.STUDENT, texts.PORTAL)


def test_a_printed_letter_batch_has_the_phone_wording(world):
    world.school_a.phone = "+31201234567"
    world.school_a.save()
    world.parent.email = world.parent.phone = ""
    world.parent.preferred_channel = "letter"
    world.parent.language = "nl"
    world.parent.address = "Dorpsstraat 12\n1234 AB Ergens"
    world.parent.save()
    recipient = next(r for r in recipients_for(world.child_a, TODAY) if r.guardian == world.parent)
    assert recipient.channel == "letter"
    context = {**texts.sample_context(Event.UNEXPLAINED_ABSENCE, world.child_a, TODAY, "nl"),
               **texts.school_context(world.school_a, "nl")}
    events._queue_rendered(world.school_a, Event.UNEXPLAINED_ABSENCE, recipient, context,
                           dedupe_key="letter-reply", about_date=TODAY)
    letters = list(waiting_letters(world.school_a))
    assert len(letters) == 1
    html = LetterTransport().render_html(world.school_a, letters, printed_on=TODAY)
    assert "U kunt ons bellen met 020 123 4567." in html
    assert "e-mail beantwoorden" not in html


def test_a_fallback_to_the_portal_gets_the_portal_wording(world):
    world.school_a.phone = "+31201234567"
    world.school_a.save()
    world.parent.user = f.make_user()
    world.parent.phone = ""
    world.parent.preferred_channel = "email"
    world.parent.language = "nl"
    world.parent.save()
    recipient = next(r for r in recipients_for(world.child_a, TODAY) if r.guardian == world.parent)
    assert recipient.channel == "email"
    context = {**texts.sample_context(Event.UNEXPLAINED_ABSENCE, world.child_a, TODAY, "nl"),
               **texts.school_context(world.school_a, "nl")}
    message = events._queue_rendered(world.school_a, Event.UNEXPLAINED_ABSENCE, recipient,
                                     context, dedupe_key="fallback-reply", about_date=TODAY)
    assert isinstance(message, Message)
    assert "e-mail beantwoorden" in message.body_text
    fallback = delivery.queue_fallback(message)
    assert fallback is not None and fallback.channel == "portal"
    assert "U kunt hier in het portaal antwoorden of bellen met 020 123 4567." in fallback.body_text
    assert "e-mail beantwoorden" not in fallback.body_text
    assert "e-mail beantwoorden" not in fallback.body_html
