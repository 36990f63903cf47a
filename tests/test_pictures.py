"""Pictures: the data a network or timeline shows, the PNG that comes out, the cache, the CLI.

The records are the seed meeting plus docs/examples/pictures.yaml (the README's pictures),
loaded through the real import path; answers come from the real answering code.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from answering_support import fresh_engine, load_yaml
from sqlalchemy import Engine
from sqlmodel import Session

from bot.core.answering import Answer, Status, Subject, answer_question
from bot.core.pictures import (
    PICTURES,
    PictureError,
    PictureKind,
    make_picture,
    offers_pictures,
    picture_request,
)
from bot.core.pictures.data import MAX_NODES, Edge, build_graph, build_timeline
from bot.core.questions import Intent
from bot.core.views import MeetingView, ParticipantView

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "pictures.yaml"
SEED = ROOT / "seeds" / "000_naghiyev_kauma.yaml"
TODAY = dt.date(2026, 12, 1)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def pictured(tmp_path: Path) -> Iterator[Engine]:
    with fresh_engine("sqlite", tmp_path) as engine:
        load_yaml(SEED.read_bytes(), engine=engine, filename=SEED.name)
        load_yaml(EXAMPLE.read_bytes(), engine=engine, filename=EXAMPLE.name)
        yield engine


def answer(engine: Engine, question: str) -> Answer:
    with Session(engine) as session:
        return answer_question(question, session=session, today=TODAY, limit=5000)


def picture(engine: Engine, kind: PictureKind, query: str) -> tuple[bytes, str]:
    with Session(engine) as session:
        drawn = make_picture(kind, query, session=session, today=TODAY)
    return drawn.png, drawn.caption


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# --- the data --------------------------------------------------------------------------------


def test_the_network_of_a_person_counts_meetings_per_counterpart(pictured: Engine) -> None:
    graph = build_graph(answer(pictured, "Pia Kauma"))
    assert graph.center.label == "Pia Kauma" and not graph.by_organization
    assert [(n.key, n.meetings) for n in graph.nodes] == [
        ("Günay Məmmədova", 3),
        ("Salome Zourabichvili", 3),
        ("Ali Naghiyev", 2),
        ("Armen Avetisyan", 2),
        ("Helga Maria Schmid", 2),
        ("Ольга Смирнова", 2),
        ("Elina Virtanen", 1),
        ("Ioana Dumitrescu", 1),
        ("Marc Tremblay", 1),
        ("Nurlan Abenov", 1),
    ]
    labels = {n.key: n.label for n in graph.nodes}
    assert labels["Günay Məmmədova"] == "Məmmədova\nSpeaker"
    assert labels["Ali Naghiyev"] == "Naghiyev\nChief of the State Security…"
    assert {n.key: n.country for n in graph.nodes}["Ольга Смирнова"] == "Kazakhstan"
    assert Edge("Pia Kauma", "Salome Zourabichvili", 3) in graph.edges
    # People met together are linked too: Naghiyev sat in on one Məmmədova meeting.
    assert Edge("Ali Naghiyev", "Günay Məmmədova", 1) in graph.edges
    assert Edge("Nurlan Abenov", "Ольга Смирнова", 1) in graph.edges
    assert graph.hidden == 0 and graph.meetings == 16
    assert graph.title == "16 meetings of Pia Kauma"


def test_a_time_window_and_a_cyrillic_name_are_read_as_in_questions(pictured: Engine) -> None:
    graph = build_graph(answer(pictured, "Смирнова"))
    assert graph.center.label == "Ольга Смирнова"
    assert [(n.key, n.meetings) for n in graph.nodes] == [
        ("Pia Kauma", 2),
        ("Nurlan Abenov", 1),
    ]
    in_2024 = build_graph(answer(pictured, "Kauma in 2024"))
    assert in_2024.meetings == 8
    assert ("Salome Zourabichvili", 1) in [(n.key, n.meetings) for n in in_2024.nodes]


def test_an_organisation_is_drawn_with_the_organisations_it_met(pictured: Engine) -> None:
    graph = build_graph(answer(pictured, "OSCE PA"))
    assert graph.by_organization
    assert graph.center.key == "OSCE Parliamentary Assembly"
    assert graph.center.label == "OSCE Parliamentary Assembly\nKauma"
    nodes = {n.key: n.meetings for n in graph.nodes}
    assert nodes["Milli Majlis"] == 3
    assert nodes["Salome Zourabichvili"] == 3  # no organisation on record: her name
    assert nodes["OSCE"] == 2


def test_a_topic_is_drawn_with_everyone_at_its_meetings(pictured: Engine) -> None:
    graph = build_graph(answer(pictured, "election observation"))
    assert graph.center.label == "election observation"
    assert [(n.key, n.meetings) for n in graph.nodes][:2] == [
        ("Pia Kauma", 4),
        ("Salome Zourabichvili", 3),
    ]


def test_a_timeline_counts_each_meeting_once_per_month(pictured: Engine) -> None:
    timeline = build_timeline(answer(pictured, "Pia Kauma"))
    assert timeline.unit == "month"
    assert timeline.bins[0].label == "2023-02" and timeline.bins[-1].label == "2024-11"
    assert len(timeline.bins) == 22  # empty months too
    assert sum(b.total for b in timeline.bins) == 16
    assert timeline.series[:2] == ("Məmmədova", "Zourabichvili")
    assert timeline.series[-1] == "others"
    by_month = {b.label: b.counts for b in timeline.bins}
    assert by_month["2024-11"][0] == 1  # Məmmədova, the first series
    assert sum(by_month["2023-03"]) == 0
    # Məmmədova's one meeting with Naghiyev counts under Kauma, so she gets no series.
    naghiyev = build_timeline(answer(pictured, "Нагиев"))
    assert naghiyev.series == ("Kauma",) and naghiyev.language == "ru"
    assert [(b.label, b.counts) for b in naghiyev.bins] == [
        ("2023-11", (1,)),
        ("2023-12", (0,)),
        ("2024-01", (1,)),
    ]


def _view(number: int, day: dt.date, *people: str) -> MeetingView:
    participants = tuple(ParticipantView(name, "Minister", None, "Chad") for name in people)
    return MeetingView(number, None, day, None, None, None, participants, (), ())


def _synthetic(views: list[MeetingView]) -> Answer:
    subject = Subject("Ann Example", "entity", ["Ann Example"])
    return Answer(
        "Ann Example",
        Status.ANSWERED,
        Intent.MEETINGS_OF,
        "Meetings of Ann Example.",
        "",
        meetings=tuple(sorted(views, key=lambda v: v.date, reverse=True)),
        total=len(views),
        subjects=(subject,),
    )


def test_a_long_span_counts_per_year_and_a_crowd_is_capped() -> None:
    views = [
        _view(i, dt.date(2015 + i % 10, 1 + i % 12, 1), "Ann Example", f"Person {i:02d}")
        for i in range(MAX_NODES + 7)
    ]
    timeline = build_timeline(_synthetic(views))
    assert timeline.unit == "year"
    assert [b.label for b in timeline.bins] == [str(y) for y in range(2015, 2025)]
    graph = build_graph(_synthetic(views))
    assert len(graph.nodes) == MAX_NODES and graph.hidden == 7
    # Two people sharing a surname keep their whole names.
    twins = [
        _view(1, dt.date(2024, 1, 1), "Ann Example", "Jo Smith"),
        _view(2, dt.date(2024, 2, 1), "Ann Example", "Al Smith"),
    ]
    assert sorted(n.label.split("\n")[0] for n in build_graph(_synthetic(twins)).nodes) == [
        "Al Smith",
        "Jo Smith",
    ]


# --- the pictures ------------------------------------------------------------------------------


def test_the_glyphs_of_every_name_are_in_the_font() -> None:
    from matplotlib import font_manager, ft2font

    from bot.core.pictures.draw import FONT

    font = ft2font.FT2Font(font_manager.findfont(FONT, fallback_to_default=False))
    for name in ("Məmmədov", "Zourabichvili", "Нагиев", "Günay Məmmədova", "Ольга Смирнова"):
        missing = [ch for ch in name if ch != " " and font.get_char_index(ord(ch)) == 0]
        assert not missing, f"{name}: {missing}"


@pytest.mark.parametrize(
    ("kind", "query", "size"),
    [
        (PictureKind.GRAPH, "Pia Kauma", (1100, 900)),
        (PictureKind.GRAPH, "Смирнова", (1100, 900)),
        (PictureKind.TIMELINE, "Pia Kauma", (1100, 550)),
        (PictureKind.TIMELINE, "Нагиев", (1100, 550)),
    ],
)
def test_a_picture_is_a_png_drawn_without_missing_glyphs(
    pictured: Engine,
    kind: PictureKind,
    query: str,
    size: tuple[int, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        png, caption = picture(pictured, kind, query)
    assert [str(w.message) for w in caught] == []
    assert [r.getMessage() for r in caplog.records] == []
    assert png_size(png) == size
    assert 5_000 < len(png) < 1_000_000
    assert caption.splitlines()[0].endswith(".")


def test_the_same_records_give_the_same_bytes(pictured: Engine) -> None:
    from bot.core.pictures.draw import draw_graph, draw_timeline

    kauma = answer(pictured, "Pia Kauma")
    assert draw_graph(build_graph(kauma)) == draw_graph(build_graph(kauma))
    assert draw_timeline(build_timeline(kauma)) == draw_timeline(build_timeline(kauma))


def test_pictures_are_kept_until_the_catalog_changes(pictured: Engine) -> None:
    with Session(pictured) as session:
        first = make_picture(PictureKind.GRAPH, "Pia Kauma", session=session, today=TODAY)
        again = make_picture(PictureKind.GRAPH, " pia  KAUMA ", session=session, today=TODAY)
    assert again is first
    load_yaml(
        "meetings:\n  - date: 2025-01-10\n    participants:\n"
        "      - {name: Pia Kauma}\n      - {name: Aino Salo, country: Finland}\n",
        engine=pictured,
    )
    with Session(pictured) as session:
        after = make_picture(PictureKind.GRAPH, "Pia Kauma", session=session, today=TODAY)
    assert after is not first and after.caption.startswith("17 meetings")
    assert len(PICTURES) <= PICTURES.size


def test_a_crowd_is_counted_in_the_caption(pictured: Engine) -> None:
    meetings = "".join(
        f"  - date: 2022-0{1 + i % 9}-1{i % 10}\n    participants:\n"
        f"      - {{name: Pia Kauma}}\n      - {{name: Guest Number{chr(65 + i)}}}\n"
        for i in range(MAX_NODES + 4)
    )
    load_yaml("meetings:\n" + meetings, engine=pictured)
    _png, caption = picture(pictured, PictureKind.GRAPH, "Pia Kauma")
    assert caption.splitlines()[1] == (
        f"The {MAX_NODES} met most often are drawn, and 14 more are not."
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Greta Gruber", "I have no records matching “Greta Gruber”."),
        ("Kauma in 1999", "I found no meeting of Pia Kauma in 1999 in my records."),
        ("   ", "Please ask a question"),
    ],
)
def test_nothing_to_draw_is_the_answers_sentence(
    pictured: Engine, query: str, expected: str
) -> None:
    with pytest.raises(PictureError) as raised:
        picture(pictured, PictureKind.TIMELINE, query)
    assert str(raised.value).startswith(expected)


def test_answers_about_one_subject_with_several_meetings_offer_pictures(
    pictured: Engine,
) -> None:
    assert offers_pictures(answer(pictured, "who did Kauma meet?"))
    assert offers_pictures(answer(pictured, "election observation"))
    assert not offers_pictures(answer(pictured, "Naghiyev"))  # two meetings only
    assert not offers_pictures(answer(pictured, "Kauma and Zourabichvili"))  # two subjects


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("show who Kauma met in 2024", (PictureKind.GRAPH, "who Kauma met in 2024")),
        ("Show me the network of the OSCE PA?", (PictureKind.GRAPH, "the OSCE PA")),
        ("graph of Kauma", (PictureKind.GRAPH, "Kauma")),
        ("timeline of energy since 2020", (PictureKind.TIMELINE, "energy since 2020")),
        (
            "show how often Kauma and Zourabichvili met",
            (PictureKind.TIMELINE, "how often Kauma and Zourabichvili met"),
        ),
        (
            "show when Kauma met Zourabichvili",
            (PictureKind.TIMELINE, "when Kauma met Zourabichvili"),
        ),
        ("покажи, с кем встречался Нагиев", (PictureKind.GRAPH, "с кем встречался Нагиев")),
        ("who met Kauma?", None),
        ("show", None),
    ],
)
def test_a_question_can_ask_for_a_picture(
    text: str, expected: tuple[PictureKind, str] | None
) -> None:
    assert picture_request(text) == expected


def test_a_picture_question_draws_the_meetings_of_the_question(pictured: Engine) -> None:
    request = picture_request("show who Kauma met in 2024")
    assert request is not None
    graph = build_graph(answer(pictured, request[1]))
    assert graph.meetings == 8 and graph.center.label == "Pia Kauma"


# --- the command line ------------------------------------------------------------------------


def test_plot_writes_the_png_and_prints_the_caption(pictured: Engine, tmp_path: Path) -> None:
    from test_cli import meetbot, one_sentence

    url = str(pictured.url)
    out = tmp_path / "kauma.png"
    done = meetbot(
        "plot", "timeline", "Pia", "Kauma", "-o", str(out), "--today", "2026-12-01",
        database_url=url, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "16 meetings of Pia Kauma.\nMeetings per month.\n"
    assert png_size(out.read_bytes()) == (1100, 550)
    missing = meetbot(
        "plot", "graph", "Greta Gruber", "-o", str(tmp_path / "x.png"),
        database_url=url, cwd=tmp_path,
    )  # fmt: skip
    assert missing.returncode == 1
    assert one_sentence(missing.stderr) == "meetbot: I have no records matching “Greta Gruber”."
    assert not (tmp_path / "x.png").exists()
    jpeg = meetbot(
        "plot", "graph", "Pia", "Kauma", "-o", str(tmp_path / "kauma.jpg"),
        database_url=url, cwd=tmp_path,
    )  # fmt: skip
    assert jpeg.returncode == 1
    assert "ending in .png" in one_sentence(jpeg.stderr)
    assert not (tmp_path / "kauma.jpg").exists()


def test_the_core_loads_no_plotting_library_until_a_picture_is_drawn() -> None:
    code = (
        "import sys\n"
        "import bot.core.pictures, bot.core.pictures.data\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'networkx')]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
