"""Where live decisions go: a UDP socket, an LSL stream, key presses, or standard output.

Every output has ``send(decision)`` and ``close()``; :func:`open_output` makes one
from the string the CLI takes:

=======================================  ====================================================
spec                                     output
=======================================  ====================================================
``udp://127.0.0.1:5005``                 one JSON datagram per decision (:class:`UDPOutput`)
``lsl`` or ``lsl:NAME``                  an LSL stream of type ``Control`` (:class:`LSLOutput`)
``keyboard`` or ``keyboard:a=left,...``  hold a key while its class is decided (:class:`KeyboardOutput`)
``stdout``                               one JSON line per decision
``none``                                 nothing (decisions are still logged)
=======================================  ====================================================

The UDP datagram is a compact JSON object: ``seq``, ``class`` (name, ``"rejected"``
or ``""``), ``label`` (index, -1 rejected), ``p`` (probability or null), ``speed``
(0-1 or null), ``outputs`` (regression outputs), ``t`` (``time.time()`` when sent),
so any language can read it (e.g. a game engine or a prosthesis simulator).
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from myograph.core.errors import ParameterError

__all__ = ["Output", "UDPOutput", "LSLOutput", "KeyboardOutput", "StdoutOutput", "NullOutput", "open_output",
           "OUTPUT_HELP", "decision_message"]

OUTPUT_HELP = "udp://HOST:PORT | lsl[:NAME] | keyboard[:class=key,...] | stdout | none"


def decision_message(d: Any) -> dict[str, Any]:
    """The JSON object an output sends for a decision."""
    def num(v: float) -> float | None:
        return None if v != v else round(float(v), 6)

    return {"seq": d.seq, "class": d.name, "label": d.label, "p": num(d.probability), "speed": num(d.speed),
            "outputs": [round(v, 6) for v in d.outputs], "t": time.time()}


class Output:
    """Base class: ``send`` each decision, ``close`` at the end."""

    spec = ""

    def send(self, decision: Any) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release the output."""

    def __enter__(self) -> "Output":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class NullOutput(Output):
    """Sends nothing."""

    spec = "none"

    def send(self, decision: Any) -> None:
        return None


class StdoutOutput(Output):
    """One JSON line per decision on standard output."""

    spec = "stdout"

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, decision: Any) -> None:
        self.stream.write(json.dumps(decision_message(decision), separators=(",", ":")) + "\n")
        self.stream.flush()


class UDPOutput(Output):
    """One JSON datagram per decision to ``host:port`` (fire and forget, like a game controller)."""

    def __init__(self, host: str, port: int) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ParameterError("output", f"UDP port must be in 1-65535, got {port!r}")
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        except socket.gaierror as exc:
            raise ParameterError("output", f"cannot resolve UDP host {host!r}: {exc}") from exc
        family, _, _, _, addr = infos[0]
        self.address = addr
        self.spec = f"udp://{host}:{port}"
        self._sock = socket.socket(family, socket.SOCK_DGRAM)
        self.errors = 0

    def send(self, decision: Any) -> None:
        data = json.dumps(decision_message(decision), separators=(",", ":")).encode()
        try:
            self._sock.sendto(data, self.address)
        except OSError:  # nobody listening (ICMP unreachable) must not stop the controller
            self.errors += 1

    def close(self) -> None:
        self._sock.close()


class LSLOutput(Output):
    """An LSL outlet of type ``Control``: one sample per decision.

    Channels: ``label`` (class index, -1 rejected), ``probability``, ``speed`` and one
    per regression output; the class names are in the stream description
    (``desc/classes``). Irregular rate (a sample per decision).
    """

    def __init__(self, name: str = "myograph-control", *, class_names: Sequence[str] = (),
                 outputs: Sequence[str] = ()) -> None:
        try:
            import pylsl
        except ImportError as exc:  # pragma: no cover - pylsl is in the acquire extra
            raise ParameterError("output", "the LSL output needs pylsl (pip install 'myograph[acquire]')") from exc
        self._pylsl = pylsl
        labels = ["label", "probability", "speed", *outputs]
        info = pylsl.StreamInfo(name, "Control", len(labels), pylsl.IRREGULAR_RATE, pylsl.cf_float32,
                                f"myograph-control-{name}")
        chans = info.desc().append_child("channels")
        for lab in labels:
            chans.append_child("channel").append_child_value("label", lab)
        classes = info.desc().append_child("classes")
        for i, c in enumerate(class_names):
            classes.append_child("class").append_child_value("index", str(i)).append_child_value("name", str(c))
        self._outlet = pylsl.StreamOutlet(info)
        self.spec = f"lsl:{name}"
        self.n_channels = len(labels)

    def send(self, decision: Any) -> None:
        nan = float("nan")
        row = [float(decision.label), decision.probability, decision.speed, *decision.outputs]
        row += [nan] * (self.n_channels - len(row))
        self._outlet.push_sample(row[:self.n_channels])

    def close(self) -> None:
        self._outlet = None


#: default keys for the active classes, in class order
DEFAULT_KEYS = ("left", "right", "up", "down", "space", "enter", "a", "s", "d", "f", "g", "h")


class KeyboardOutput(Output):
    """Hold a key down while its class is decided (EMG as a game or computer input).

    Uses :mod:`pynput` (an X server or uinput on Linux, native on macOS/Windows).
    Named keys (``left``, ``space``, ``f1`` ...) are real key presses (XTest on X11);
    single characters are delivered the way pynput's backend types them (on X11, as
    key events sent to the focused window).
    A change of decision releases the previous key and presses the new one; rest
    and rejected decisions press nothing; :meth:`close` releases everything.

    Parameters
    ----------
    class_names : sequence of str
        The model's classes.
    keys : mapping, optional
        Class name -> key (``"left"``, ``"space"``, a character, ...). Default: the
        active classes in order get ``left, right, up, down, space, enter, a, s, ...``.
    rest : str, optional
        The class that presses nothing.
    """

    def __init__(self, class_names: Sequence[str], *, keys: Mapping[str, str] | None = None, rest: str | None = "rest",
                 controller: Any = None) -> None:
        try:
            from pynput import keyboard
        except Exception as exc:  # ImportError, or no display for the backend
            raise ParameterError("output", f"the keyboard output needs pynput and a display it can drive: {exc}") from exc
        self._kb = keyboard
        active = [c for c in class_names if c != rest]
        if keys is None:
            if len(active) > len(DEFAULT_KEYS):
                raise ParameterError("output", f"{len(active)} classes but {len(DEFAULT_KEYS)} default keys; map them with keyboard:class=key,...")
            keys = dict(zip(active, DEFAULT_KEYS))
        unknown = [c for c in keys if c not in class_names]
        if unknown:
            raise ParameterError("output", f"keys for unknown classes {unknown}; the model's classes are {list(class_names)}")
        self.keys = {c: self._key(k) for c, k in keys.items()}
        self.key_names = dict(keys)
        self._ctl = controller if controller is not None else keyboard.Controller()
        self._held: Any = None
        self.spec = "keyboard:" + ",".join(f"{c}={k}" for c, k in keys.items())

    def _key(self, name: str) -> Any:
        name = str(name)
        if len(name) == 1:
            return name
        try:
            return getattr(self._kb.Key, name.lower())
        except AttributeError:
            raise ParameterError("output", f"unknown key {name!r}: a character or a pynput Key name (left, space, enter, f1, ...)") from None

    def send(self, decision: Any) -> None:
        key = self.keys.get(decision.name)
        if key == self._held:
            return
        if self._held is not None:
            self._ctl.release(self._held)
        if key is not None:
            self._ctl.press(key)
        self._held = key

    def close(self) -> None:
        if self._held is not None:
            self._ctl.release(self._held)
            self._held = None
        display = getattr(self._ctl, "_display", None)  # pynput's X connection (xorg backend) has no public close
        if display is not None and hasattr(display, "close"):
            display.close()
            del self._ctl._display  # so that pynput's __del__ does not close it again


def _keys(text: str) -> dict[str, str] | None:
    if not text:
        return None
    out = {}
    for part in text.split(","):
        cls, sep, key = part.partition("=")
        if not sep or not cls.strip() or not key.strip():
            raise ParameterError("output", f"keyboard keys must be class=key pairs joined by ',', got {part!r}")
        out[cls.strip()] = key.strip()
    return out


def open_output(spec: str | None, *, class_names: Sequence[str] = (), outputs: Sequence[str] = (),
                rest: str | None = "rest") -> Output:
    """An :class:`Output` from a spec string (see the table above); ``None`` gives no output."""
    if spec is None:
        return NullOutput()
    if not isinstance(spec, str) or not spec.strip():
        raise ParameterError("output", f"must be one of {OUTPUT_HELP!r}, got {spec!r}")
    s = spec.strip()
    low = s.lower()
    if low == "none":
        return NullOutput()
    if low == "stdout":
        return StdoutOutput()
    if low.startswith("udp://"):
        u = urlsplit(s)
        try:
            port = u.port
        except ValueError:
            port = None
        if not u.hostname or port is None:
            raise ParameterError("output", f"a UDP output is udp://HOST:PORT, got {spec!r}")
        return UDPOutput(u.hostname, port)
    kind, _, rest_of = s.partition(":")
    if kind.lower() == "lsl":
        return LSLOutput(rest_of or "myograph-control", class_names=class_names, outputs=outputs)
    if kind.lower() == "keyboard":
        return KeyboardOutput(class_names, keys=_keys(rest_of), rest=rest)
    raise ParameterError("output", f"unknown output {spec!r}; use {OUTPUT_HELP}")
