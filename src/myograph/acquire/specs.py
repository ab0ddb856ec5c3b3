"""``open_source(spec)``: one string names any source, for the CLI, the server and scripts.

=========================================  ==================================================
spec                                       source
=========================================  ==================================================
``sim``, ``sim:surface``                   simulated surface amplifier (8 ch, 2048 Hz)
``sim:needle``                             simulated concentric needle (1 ch, 20 kHz)
``sim:hdemg``                              simulated 8 x 8 HD grid (64 ch, 2048 Hz)
``sim:gestures``                           simulated forearm armband (8 ch, 2000 Hz) of a
                                           subject performing gestures (``set_gesture``);
                                           ``sim:gestures?cycle=true`` runs an endless
                                           seeded cycle of them
``brainflow:-1``                           BrainFlow board by id (-1: the synthetic board)
``brainflow:0?serial_port=/dev/ttyUSB0``   … with BrainFlowInputParams fields
``lsl:NAME``                               the LSL stream named NAME
``lsl:type=EMG``, ``lsl:name=NAME``        the LSL stream with that property
=========================================  ==================================================

Options follow a ``?`` as ``key=value`` pairs joined by ``&`` (numbers are
converted: ``sim:hdemg?seed=3&excitation=0.4``; the simulator's ``gesture_names`` is
comma-separated: ``sim:gestures?cycle=true&gesture_names=hand_open,hand_close``); keyword arguments of
:func:`open_source` override them. A spec that names no known kind raises
:class:`~myograph.ParameterError` naming ``source``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from myograph.acquire.source import Source
from myograph.core.errors import ParameterError

__all__ = ["open_source", "parse_spec", "SPEC_HELP"]

SPEC_HELP = "sim | sim:needle | sim:hdemg | sim:gestures | brainflow:ID[?key=value&...] | lsl:NAME | lsl:type=TYPE"


def _value(text: str) -> Any:
    low = text.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def parse_spec(spec: str) -> tuple[str, str, dict[str, Any]]:
    """``"kind:target?k=v&..."`` → ``(kind, target, options)``."""
    if not isinstance(spec, str) or not spec.strip():
        raise ParameterError("source", f"must be a source spec such as {SPEC_HELP!r}, got {spec!r}")
    head, _, query = spec.strip().partition("?")
    kind, _, target = head.partition(":")
    try:
        options = {k: _value(v) for k, v in parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))}
    except ValueError:
        raise ParameterError("source", f"options after '?' must be key=value pairs joined by '&', got {query!r}") from None
    return kind.strip().lower(), target.strip(), options


def open_source(spec: str, **kw: Any) -> Source:
    """Open (not start) the source a spec names; see the module docstring for the grammar.

    Examples
    --------
    >>> src = open_source("sim:hdemg", seed=3, realtime=False)
    >>> src.info.n_channels
    64
    >>> with open_source("sim", channels=2, realtime=False) as src:   # doctest: +SKIP
    ...     block = src.read(timeout_s=1.0)
    """
    kind, target, options = parse_spec(spec)
    options.update(kw)
    if kind == "sim":
        from myograph.acquire.sim import MODES, SimulatedAmplifier

        mode = target or "surface"
        if mode not in MODES:
            raise ParameterError("source", f"unknown simulated mode {mode!r} in {spec!r}; use one of "
                                 f"{['sim:' + m for m in MODES]}")
        return SimulatedAmplifier(mode, **options)
    if kind == "brainflow":
        from myograph.acquire.brainflow import BrainFlowSource

        try:
            board_id = int(target)
        except ValueError:
            raise ParameterError("source", f"brainflow needs a numeric board id (brainflow:-1 is the synthetic board), "
                                 f"got {spec!r}") from None
        own = {k: options.pop(k) for k in ("channels", "buffer_s", "counter_modulus", "poll_s", "name") if k in options}
        return BrainFlowSource(board_id, options, **own)
    if kind == "lsl":
        from myograph.acquire.lsl import LSLInlet

        if not target:
            raise ParameterError("source", f"lsl needs a stream name or prop=value (lsl:EMG, lsl:type=EMG), got {spec!r}")
        prop, eq, value = target.partition("=")
        if eq:
            if prop not in ("name", "type", "source_id", "hostname"):
                raise ParameterError("source", f"lsl streams are resolved by name, type, source_id or hostname, got {prop!r}")
            return LSLInlet(**{prop: value}, **options)
        return LSLInlet(name=target, **options)
    raise ParameterError("source", f"unknown source {spec!r}; use {SPEC_HELP}")
