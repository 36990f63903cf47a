"""Two people with one surname: which one a question means, from the rest of the question.

"Where did Lindner meet Kovalenko", "who did Kovalenko meet in 2021": of the namesakes a
name could be (bot.core.resolving keeps them as an ambiguity), the one who fits the
question's other people and its time, when only one does.
"""

from __future__ import annotations

from bot.core.constraints import Constraint, Resolution, meetings_of
from bot.core.matching import CatalogIndex
from bot.core.windows import meetings_within


def settle_namesakes(resolution: Resolution, index: CatalogIndex) -> None:
    """ "Where did Lindner meet Kovalenko", "who did Kovalenko meet in 2021": of two people
    called Kovalenko, the one who fits the rest of the question (its other people, its
    time), when only one does. Nobody meets themselves."""
    if not resolution.ambiguous or len(resolution.ambiguous) != len(resolution.ambiguous_people):
        return
    others = [c for c in resolution.constraints if c.participations is not None]
    named = {index.part_person[p] for c in others for p in c.participations or ()}
    met = set.intersection(*(meetings_of(c, index) for c in others)) if others else None
    window = resolution.question.window
    if met is None and window is None:
        return
    for k in reversed(range(len(resolution.ambiguous))):
        position, people = resolution.ambiguous_people[k]
        fitting = []
        for pid in people:
            if pid in named and len(people) > 1:
                continue
            meetings = index.meetings_of_participations(index.participations_of_people([pid]))
            if met is not None:
                meetings &= met
            if window is not None:
                meetings = meetings_within(meetings, window, index.meeting_dates)
            if meetings:
                fitting.append(pid)
        if len(fitting) == 1:
            parts = index.participations_of_people(fitting)
            label = index.person_names[fitting[0]]
            resolution.constraints.insert(position, Constraint(label, participations=parts))
            del resolution.ambiguous[k], resolution.ambiguous_people[k]
