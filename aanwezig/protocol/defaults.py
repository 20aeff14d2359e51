"""The default absence protocols for po, vo and mbo.

Built from the law (the 16-hours report, MAZL, luxury and long absence) and the
published ladders in domain.md §3 (UDO, OBS Multatuli, PH Schreuderschool,
Poldervaart, Beekdal). A school starts from its sector's copy and edits its own
version. The parents' texts are plain Dutch (B1) with an English translation;
they say what happens now and why, leading with presence.
"""

from __future__ import annotations

from typing import Any


def _step(key: str, title: str, role: str, when: list[dict[str, Any]],
          then: list[dict[str, Any]], nl: str, en: str, cooldown: int = 0) -> dict[str, Any]:
    return {"key": key, "title": title, "role": role, "when": when, "then": then,
            "texts": {"nl": nl, "en": en}, "cooldown_days": cooldown, "active": True}


def _c(type_: str, **params: Any) -> dict[str, Any]:
    return {"type": type_, "params": params}


UNDER_18 = _c("age", group="under_18")
ADULT = _c("age", group="adult")


def _late_ladder(sector: str) -> list[dict[str, Any]]:
    steps = [
        _step("late-3", "3 keer te laat", "mentor",
              [_c("times_late", times=3)],
              [_c("task", kind="talk_to_student", due_days=3)],
              "Na 3 keer te laat praat de mentor met uw kind. Samen zoeken ze uit wat helpt om "
              "op tijd te zijn. Op tijd beginnen helpt om de les goed te volgen.",
              "After being late 3 times, the mentor talks with your child. Together they look "
              "at what helps to be on time. Starting on time helps to follow the lesson well."),
        _step("late-6", "6 keer te laat", "mentor",
              [_c("times_late", times=6)],
              [_c("message_guardians", template="late"),
               _c("task", kind="phone_parents", due_days=3)],
              "Na 6 keer te laat krijgt u een bericht en belt de mentor u. We willen graag samen "
              "met u zorgen dat uw kind op tijd op school is.",
              "After being late 6 times, you get a message and the mentor phones you. We would "
              "like to work with you so that your child is at school on time."),
        _step("late-9", "9 keer te laat", "care_coordinator" if sector == "po" else "mentor",
              [_c("times_late", times=9)],
              [_c("task", kind="plan_conversation", due_days=5), _c("open_case")],
              "Na 9 keer te laat nodigen we u en uw kind uit voor een gesprek. We beginnen met "
              "hoe het op school gaat en maken samen afspraken.",
              "After being late 9 times, we invite you and your child for a conversation. We "
              "start with how things are going at school and make agreements together."),
        _step("late-12", "12 keer te laat", "attendance_officer",
              [_c("times_late", times=12)],
              [_c("inform_partner", partner="leerplicht"), _c("open_case", escalate=True)],
              "Na 12 keer te laat moet de school dit melden bij de leerplichtambtenaar. Die "
              "denkt mee over hoe uw kind weer op tijd komt. U hoort dit altijd eerst van ons.",
              "After being late 12 times, the school has to tell the leerplichtambtenaar "
              "(school attendance officer of the town). They help find a way for your child "
              "to be on time again. You always hear this from us first."),
    ]
    if sector == "mbo":
        for step in steps:
            step["texts"]["nl"] = step["texts"]["nl"].replace("uw kind", "de student")
    return steps


def _hours_ladder() -> list[dict[str, Any]]:
    return [
        _step("hours-6", "6 uur ongeoorloofd in 4 weken", "mentor",
              [_c("unexcused_hours", hours=6, weeks=4)],
              [_c("task", kind="phone_parents", due_days=2),
               _c("message_guardians", template="concern")],
              "Als uw kind in 4 schoolweken 6 uur zonder geldige reden mist, belt de mentor u. "
              "We horen graag hoe het gaat en wat er nodig is om weer elke les te komen.",
              "If your child misses 6 hours without a valid reason in 4 school weeks, the "
              "mentor phones you. We would like to hear how things are and what is needed to "
              "come to every lesson again."),
        _step("hours-9", "9 uur ongeoorloofd in 4 weken", "mentor",
              [_c("unexcused_hours", hours=9, weeks=4)],
              [_c("message_guardians", template="conversation"),
               _c("task", kind="plan_conversation", due_days=5), _c("open_case")],
              "Bij 9 uur zonder geldige reden in 4 schoolweken nodigen we u en uw kind uit voor "
              "een gesprek met de mentor. We maken samen afspraken en kijken later of ze werken.",
              "At 9 hours without a valid reason in 4 school weeks, we invite you and your child "
              "for a conversation with the mentor. We make agreements together and check later "
              "whether they work."),
        _step("duo-16", "16 uur in 4 weken: melding DUO", "attendance_officer",
              [_c("unexcused_hours", hours=16, weeks=4, legal=True)],
              [_c("propose_duo"), _c("message_guardians", template="duo_report"),
               _c("open_case", escalate=True)],
              "Bij 16 uur zonder geldige reden in 4 schoolweken moet de school dit volgens de wet "
              "melden bij DUO. De leerplichtambtenaar neemt dan contact op. We laten u dit altijd "
              "eerst schriftelijk weten en blijven samen met u zoeken naar een oplossing.",
              "At 16 hours without a valid reason in 4 school weeks, the law says the school "
              "must report this to DUO. The leerplichtambtenaar will then get in touch. We always "
              "tell you first in writing and keep looking for a solution together with you."),
    ]


def _law_steps() -> list[dict[str, Any]]:
    return [
        _step("luxury", "Vermoeden van luxeverzuim", "attendance_officer",
              [_c("luxury_absence")],
              [_c("task", kind="phone_parents", due_days=1), _c("propose_duo")],
              "Is uw kind zonder verlof afwezig vlak voor of na een vakantie of vrije dag? Dan "
              "belt de school u. Vakantie buiten de schoolvakanties zonder verlof moet de school "
              "melden bij leerplicht. Vraag verlof daarom altijd op tijd aan.",
              "Is your child absent without leave just before or after a holiday or a day off? "
              "Then the school phones you. The school must report a holiday outside the school "
              "holidays without leave to leerplicht. So always ask for leave in time.",
              cooldown=7),
        _step("long-absence", "Langer dan 4 weken ongeoorloofd afwezig", "attendance_officer",
              [_c("long_absence", weeks=4)],
              [_c("propose_duo"), _c("open_case", escalate=True)],
              "Is uw kind langer dan 4 weken niet op school zonder geldige reden? Dan meldt de "
              "school dit bij DUO en zoeken we samen met u en de leerplichtambtenaar een weg "
              "terug naar school.",
              "Has your child been away from school for more than 4 weeks without a valid "
              "reason? Then the school reports this to DUO, and together with you and the "
              "leerplichtambtenaar we look for a way back to school."),
        _step("mazl-reports", "4 ziekmeldingen in 12 weken (MAZL)", "care_coordinator",
              [_c("sick_reports", times=4, weeks=12)],
              [_c("task", kind="phone_parents", role="mentor", due_days=3),
               _c("message_guardians", template="care"), _c("open_case"),
               _c("propose_jeugdarts")],
              "Is uw kind 4 keer ziek gemeld in 12 schoolweken? Dan nemen we contact met u op. We "
              "willen weten hoe het gaat en of uw kind iets nodig heeft. Soms stellen we een "
              "gesprek met de jeugdarts voor. De jeugdarts deelt niets met school zonder "
              "toestemming.",
              "Has your child been reported sick 4 times in 12 school weeks? Then we get in "
              "touch with you. We want to know how things are and whether your child needs "
              "anything. Sometimes we suggest a talk with the youth doctor. The youth doctor "
              "shares nothing with the school without consent."),
        _step("mazl-days", "7 schooldagen achter elkaar ziek (MAZL)", "care_coordinator",
              [_c("consecutive_sick_days", days=7)],
              [_c("task", kind="phone_parents", role="mentor", due_days=2),
               _c("message_guardians", template="care"), _c("open_case"),
               _c("propose_jeugdarts")],
              "Is uw kind 7 schooldagen achter elkaar ziek? Dan belt de mentor u om te horen hoe "
              "het gaat en hoe uw kind bij kan blijven. Soms stellen we een gesprek met de "
              "jeugdarts voor.",
              "Has your child been sick for 7 school days in a row? Then the mentor phones you "
              "to hear how things are and how your child can keep up. Sometimes we suggest a "
              "talk with the youth doctor."),
        _step("chronic", "Minder dan 90% aanwezig in 8 weken", "mentor",
              [_c("attendance_below", percent=90, weeks=8, min_lessons=40)],
              [_c("message_guardians", template="chronic"),
               _c("task", kind="plan_conversation", due_days=5)],
              "Is uw kind in 8 schoolweken minder dan 9 van de 10 lessen op school, om welke "
              "reden ook? Dan nodigt de mentor u uit voor een gesprek. Elke les telt, en samen "
              "zoeken we wat helpt.",
              "Is your child at school for fewer than 9 in 10 lessons over 8 school weeks, for "
              "whatever reason? Then the mentor invites you for a conversation. Every lesson "
              "counts, and together we look for what helps.", cooldown=28),
    ]


def _mbo_adult_steps() -> list[dict[str, Any]]:
    return [
        _step("rmc-16", "18+: 16 uur in 4 weken, RMC", "attendance_officer",
              [_c("unexcused_hours", hours=16, weeks=4), ADULT, _c("no_startkwalificatie")],
              [_c("inform_partner", partner="rmc"),
               _c("task", kind="talk_to_student", role="mentor", due_days=3),
               _c("open_case")],
              "Ben je 18 of ouder en heb je nog geen startkwalificatie? Mis je 16 uur zonder "
              "geldige reden in 4 schoolweken, dan praat je SLB'er met je en brengt de school de "
              "RMC-trajectbegeleider op de hoogte. Die helpt je om je diploma te halen.",
              "Are you 18 or older without a startkwalificatie? If you miss 16 hours without a "
              "valid reason in 4 school weeks, your study coach talks with you and the school "
              "informs the RMC officer, who helps you to get your diploma."),
    ]


def default_steps(sector: str) -> list[dict[str, Any]]:
    """Return the default protocol steps (JSON-ready) for a sector: po, vo or mbo."""
    steps = _late_ladder(sector) + _hours_ladder() + _law_steps()
    if sector == "mbo":
        steps += _mbo_adult_steps()
    if sector == "po":
        # Primary school: lateness goes to the intern begeleider, then the director.
        steps[2]["role"] = "care_coordinator"
    return steps
