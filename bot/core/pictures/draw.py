"""Draw a network or a timeline as PNG bytes with matplotlib's object API and networkx's layout.

Only this module imports matplotlib and networkx, inside its functions, and only
bot.core.pictures.make_picture imports this module, while drawing: `meetbot ask` and the bot's
answers never load them. No pyplot: a Figure with the Agg canvas of its own, so a long-running
process keeps no global figure state and threads do not share one. DejaVu Sans, which ships
inside matplotlib, has Latin with diacritics, Azerbaijani ə and Cyrillic. The PNG carries no
software version and no date, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from bot.core.pictures.data import OTHERS, GraphData, TimelineData

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FONT = "DejaVu Sans"
DPI = 100
GRAPH_SIZE = (11.0, 9.0)  # inches at DPI: 1100 x 900 pixels
TIMELINE_SIZE = (11.0, 5.5)
CENTER_COLOUR = "#37474f"
OTHERS_COLOUR = "#b0bec5"
# Colour-blind-safe hues (Okabe-Ito, then Tableau), handed out in a fixed order.
PALETTE = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948",
)  # fmt: skip


# The few words a picture writes itself, in the answer's language.
WORDS = {
    "en": {"country": "Country", "met": "Met with", "month": "meetings per month",
           "year": "meetings per year", "others": "others"},
    "ru": {"country": "Страна", "met": "Встречи с", "month": "встреч в месяц",
           "year": "встреч в год", "others": "другие"},
}  # fmt: skip


def _figure(size: tuple[float, float]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # "Software" would write matplotlib's version into the file; the same data, the same bytes.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _plain(text: str) -> str:
    """Text shown as typed: a "$" from the records must not start mathtext."""
    return text.replace("$", r"\$")


def _colours(keys: list[str | None]) -> dict[str | None, str]:
    """A colour for each distinct key, by sorted key, so the same keys get the same colours."""
    distinct = sorted({k for k in keys if k is not None}, key=lambda k: (k.casefold(), k))
    colours: dict[str | None, str] = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(distinct)}
    colours[None] = OTHERS_COLOUR
    return colours


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def draw_graph(data: GraphData) -> bytes:
    """Draw data as a PNG: the subject in the middle, nodes coloured by country."""
    import networkx as nx
    from matplotlib.lines import Line2D

    graph = nx.Graph()
    graph.add_node(data.center.key)
    graph.add_nodes_from(node.key for node in data.nodes)
    graph.add_weighted_edges_from((e.a, e.b, e.meetings) for e in data.edges)
    keys = [node.key for node in data.nodes]
    positions = nx.shell_layout(graph, nlist=[[data.center.key], keys] if keys else None)
    most = max((node.meetings for node in data.nodes), default=1)
    least = min((node.meetings for node in data.nodes), default=1)
    # Closer to the middle for more meetings: the strongest ties are seen first. In a crowd
    # every other node steps inwards, so neighbouring labels do not run into each other.
    for number, node in enumerate(data.nodes):
        x, y = positions[node.key]
        share = (node.meetings - least) / (most - least) if most > least else 0.0
        radius = (1.0 - 0.25 * share) * (0.8 if len(data.nodes) > 10 and number % 2 else 1.0)
        length = math.hypot(x, y) or 1.0
        positions[node.key] = (x / length * radius, y / length * radius)
    figure = _figure(GRAPH_SIZE)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_xlim(-1.75, 1.75)
    axes.set_ylim(-1.3, 1.3)
    axes.set_aspect("equal")
    for edge in data.edges:
        (x1, y1), (x2, y2) = positions[edge.a], positions[edge.b]
        central = data.center.key in (edge.a, edge.b)
        axes.plot(
            [x1, x2],
            [y1, y2],
            color="#78909c" if central else "#cfd8dc",
            linewidth=1.0 + 7.0 * edge.meetings / most if central else 1.0,
            linestyle="-" if central else "--",
            zorder=1,
            solid_capstyle="round",
        )
        if central and most > 1:
            # Nearer the outer end: the middle is where the subject's label is.
            axes.text(
                x1 + 0.62 * (x2 - x1), y1 + 0.62 * (y2 - y1), str(edge.meetings),
                fontsize=8, family=FONT,
                ha="center", va="center", color="#37474f", zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
            )  # fmt: skip
    colours = _colours([node.country for node in data.nodes])
    for node in data.nodes:
        x, y = positions[node.key]
        size = 120 + 500 * node.meetings / most
        axes.scatter([x], [y], s=size, color=colours[node.country], zorder=2, edgecolors="white")
        _node_label(axes, node.label, x, y)
    axes.scatter([0], [0], s=1400, color=CENTER_COLOUR, zorder=2)
    axes.text(
        0, -0.13, _plain(data.center.label), fontsize=11, family=FONT, weight="bold", ha="center",
        va="top", zorder=4, bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none"},
    )  # fmt: skip
    axes.set_title(_plain(data.title), fontsize=12, family=FONT, loc="left")
    countries = sorted({n.country for n in data.nodes if n.country}, key=str.casefold)
    if countries:
        handles = [
            Line2D([], [], marker="o", linestyle="", color=colours[c], markersize=9)
            for c in countries
        ]
        axes.legend(
            handles, [_plain(c) for c in countries], loc="lower left", fontsize=8, frameon=False,
            prop={"family": FONT, "size": 8}, title=_words(data.language)["country"],
        )  # fmt: skip
    return _png(figure)


def _node_label(axes: object, label: str, x: float, y: float) -> None:
    """A label just outside its node, on the side away from the middle."""
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    angle = math.atan2(y, x)
    dx, dy = math.cos(angle) * 0.09, math.sin(angle) * 0.09
    horizontal = "left" if dx > 0.03 else "right" if dx < -0.03 else "center"
    vertical = "bottom" if dy > 0.06 else "top" if dy < -0.06 else "center"
    axes.text(
        x + dx, y + dy, _plain(label), fontsize=8.5, family=FONT, ha=horizontal, va=vertical,
        zorder=4, linespacing=1.15,
    )  # fmt: skip


def draw_timeline(data: TimelineData) -> bytes:
    """Draw data as a PNG: stacked bars per month or year, one colour per main counterpart."""
    from matplotlib.ticker import MaxNLocator

    words = _words(data.language)
    figure = _figure(TIMELINE_SIZE)
    axes = figure.add_subplot()
    positions = list(range(len(data.bins)))
    bottoms = [0] * len(data.bins)
    for i, name in enumerate(data.series):
        heights = [b.counts[i] for b in data.bins]
        colour = OTHERS_COLOUR if name == OTHERS else PALETTE[i % len(PALETTE)]
        label = words["others"] if name == OTHERS else _plain(name)
        axes.bar(positions, heights, bottom=bottoms, color=colour, label=label, width=0.8)
        bottoms = [low + h for low, h in zip(bottoms, heights, strict=True)]
    step = max(1, math.ceil(len(data.bins) / 24))  # at most about 24 date labels
    axes.set_xticks(positions[::step], [_plain(b.label) for b in data.bins][::step])
    for tick in axes.get_xticklabels():
        tick.set_rotation(45 if data.unit == "month" else 0)
        tick.set_horizontalalignment("right" if data.unit == "month" else "center")
        tick.set_fontfamily(FONT)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(max(bottoms, default=0) * 1.15, 2))
    axes.set_ylabel(words[data.unit], family=FONT)
    axes.set_xlim(-0.6, len(data.bins) - 0.4)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(_plain(data.title), fontsize=12, family=FONT, loc="left")
    if data.series:
        axes.legend(
            loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
            prop={"family": FONT, "size": 9}, title=words["met"],
        )  # fmt: skip
    return _png(figure)
