"""BrainFlow boards (OpenBCI and many others; BrainFlow's synthetic board in tests).

:class:`BrainFlowSource` opens a board by id and connection parameters
(``BrainFlowInputParams``), streams the board's EMG rows
(``BoardShim.get_emg_channels``) and turns BrainFlow's conventions into
myograph's:

* **Units**: BrainFlow returns EXG channels in µV ("For EXG channels BrainFlow
  returns uV wherever possible", BrainFlow *Data Format Description*); blocks
  are in volts (``× 1e-6``).
* **Timestamps**: the board's timestamp row is a UNIX time in seconds (for
  many boards taken on the PC as packets arrive); ``Block.timestamp_s`` is the
  first sample's, unmodified.
* **Counter**: the package-number row counts packets modulo a small number
  (256 for the Cyton and the synthetic board). It is unwrapped into a running
  counter — a jump of more than one package is a gap of that many samples,
  visible downstream as a jump of ``Block.first_sample``. The modulus is the
  next power of two above the largest package number seen, unless given.

The synthetic board (``BoardIds.SYNTHETIC_BOARD``, id -1) needs no hardware:
250 Hz, 16 EXG rows of sinusoids and noise, tens to hundreds of µV.
"""

from __future__ import annotations

import collections
import logging
import time
from typing import Any

import numpy as np

from myograph.acquire.source import Block, Source, StreamInfo
from myograph.core.channels import Channel, ChannelTable
from myograph.core.errors import ParameterError
from myograph.core.metadata import Device, Metadata

__all__ = ["BrainFlowSource", "unwrap_counter"]

log = logging.getLogger("myograph.acquire")

_UV = 1e-6


def _brainflow():
    try:
        from brainflow.board_shim import BoardShim, BrainFlowInputParams
    except ImportError:  # pragma: no cover - the extra is installed in the test environment
        raise ImportError("BrainFlow sources need the brainflow package: pip install 'myograph[acquire]'") from None
    return BoardShim, BrainFlowInputParams


def unwrap_counter(packages: np.ndarray, last: int | None, modulus: int | None) -> tuple[np.ndarray, int | None]:
    """Package numbers (mod ``modulus``) → increments from ``last`` (the previous package number).

    Returns ``(steps, modulus)``: ``steps[i]`` is how many samples sample ``i`` is
    after the one before it (1 normally, more after lost packages). When
    ``modulus`` is None it is inferred at the first wrap as the next power of two
    above the largest package number seen.
    """
    p = np.asarray(packages, dtype=np.int64)
    prev = np.concatenate([[p[0] - 1 if last is None else last], p[:-1]])
    d = p - prev
    if np.any(d <= 0) and modulus is None:
        top = int(max(p.max(), prev.max()))
        modulus = 1 << max(1, top.bit_length())
    if modulus is not None:
        d = np.where(d <= 0, d + modulus, d)
    return d, modulus


class BrainFlowSource(Source):
    """A BrainFlow board as a :class:`~myograph.acquire.source.Source`.

    Parameters
    ----------
    board_id : int
        BrainFlow board id (``-1``: the synthetic board; ``0``: OpenBCI Cyton …).
    params : mapping or BrainFlowInputParams, optional
        Connection parameters (``serial_port``, ``mac_address``, ``ip_address``,
        ``ip_port``, ``serial_number``, ``timeout``, ``file`` …).
    channels : "emg" or sequence of int
        Rows to stream: the board's EMG rows (default) or explicit row numbers.
    buffer_s : float, default 60
        BrainFlow's ring buffer, s.
    counter_modulus : int, optional
        Modulus of the package counter (default: inferred, 256 on most boards).
    poll_s : float, default 0.005
        How often :meth:`read` polls the board while waiting, s.
    physical_range : (float, float), optional
        Input range in V, if known (OpenBCI Cyton at gain 24: ±0.1875 V).
    """

    def __init__(self, board_id: int = -1, params: Any = None, *, channels: Any = "emg", buffer_s: float = 60.0,
                 counter_modulus: int | None = None, poll_s: float = 0.005,
                 physical_range: tuple[float, float] | None = None, name: str | None = None) -> None:
        BoardShim, BrainFlowInputParams = _brainflow()
        if isinstance(board_id, bool) or not isinstance(board_id, (int, np.integer)):
            raise ParameterError("board_id", f"must be an integer BrainFlow board id, got {board_id!r}")
        self.board_id = int(board_id)
        if params is None or isinstance(params, dict):
            p = BrainFlowInputParams()
            for k, v in (params or {}).items():
                if not hasattr(p, k):
                    raise ParameterError(str(k), f"is not a BrainFlowInputParams field; fields: {sorted(vars(p))}")
                setattr(p, k, type(getattr(p, k))(v))
            params = p
        self.params = params
        try:
            descr = BoardShim.get_board_descr(self.board_id)
            self.fs = float(BoardShim.get_sampling_rate(self.board_id))
            rows = list(BoardShim.get_emg_channels(self.board_id)) if channels == "emg" else [int(c) for c in channels]
            self._ts_row = int(BoardShim.get_timestamp_channel(self.board_id))
            self._pkg_row = int(BoardShim.get_package_num_channel(self.board_id))
        except Exception as exc:  # BrainFlowError: unknown board, no EMG rows …
            raise ParameterError("board_id", f"BrainFlow board {self.board_id}: {exc}") from None
        if not rows:
            raise ParameterError("channels", f"BrainFlow board {self.board_id} has no EMG rows")
        self._rows = rows
        board_name = str(descr.get("name", f"board {self.board_id}"))
        names = str(descr.get("emg_names", "")).split(",") if descr.get("emg_names") else []
        if len(names) != len(rows):
            names = [f"EMG{i + 1}" for i in range(len(rows))]
        table = ChannelTable(Channel(n, type="EMG", units="V", description=f"BrainFlow {board_name} row {r}")
                             for n, r in zip(names, rows))
        meta = Metadata(device=Device(manufacturer="BrainFlow", model=board_name, software=f"brainflow {_version()}"),
                        notes=(f"BrainFlow board id {self.board_id}",))
        self.info = StreamInfo(name or f"brainflow:{self.board_id}", self.fs, table, meta,
                               physical_range=physical_range, has_counter=True)
        self.buffer_s = float(buffer_s)
        self.poll_s = float(poll_s)
        self.counter_modulus = counter_modulus
        self._board = None
        self._last_pkg: int | None = None
        self._counter = 0
        self._ready: collections.deque[Block] = collections.deque()

    def start(self) -> None:
        """Prepare the session and start streaming."""
        if self._board is not None:
            return
        BoardShim, _ = _brainflow()
        BoardShim.disable_board_logger()
        board = BoardShim(self.board_id, self.params)
        try:
            board.prepare_session()
            board.start_stream(max(1000, int(self.buffer_s * self.fs)))
        except Exception as exc:
            try:
                board.release_session()
            except Exception:  # pragma: no cover
                pass
            raise ParameterError("board_id", f"could not start BrainFlow board {self.board_id}: {exc}") from None
        self._board = board
        self._last_pkg = None
        self._counter = 0
        self._ready.clear()
        log.info("BrainFlow board %d streaming at %g Hz", self.board_id, self.fs)

    def read(self, timeout_s: float = 0.1) -> Block | None:
        """The samples the board has buffered (waits up to ``timeout_s`` for the first).

        A fetch that holds a gap (a jump of the package counter) is handed out
        as one block per run of consecutive samples, over successive calls.
        """
        if self._board is None:
            raise ParameterError("source", "is not started; call start() or use it in a with-block")
        if self._ready:
            return self._ready.popleft()
        deadline = time.monotonic() + max(0.0, float(timeout_s))
        while self._board.get_board_data_count() == 0:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(self.poll_s, left))
        raw = self._board.get_board_data()
        received = time.monotonic()
        if raw.shape[1] == 0:  # pragma: no cover - raced with the count
            return None
        steps, self.counter_modulus = unwrap_counter(raw[self._pkg_row], self._last_pkg, self.counter_modulus)
        self._last_pkg = int(raw[self._pkg_row, -1])
        counters = self._counter + np.cumsum(steps) - 1
        self._counter = int(counters[-1]) + 1
        data = raw[self._rows] * _UV
        ts = raw[self._ts_row]
        cuts = [0] + (np.flatnonzero(steps[1:] != 1) + 1).tolist() + [raw.shape[1]]
        for a, b in zip(cuts[:-1], cuts[1:]):
            self._ready.append(Block(np.ascontiguousarray(data[:, a:b]), int(counters[a]), float(ts[a]), received))
        return self._ready.popleft()

    def stop(self) -> None:
        """Stop streaming and release the board (idempotent)."""
        board, self._board = self._board, None
        if board is None:
            return
        try:
            board.stop_stream()
        finally:
            board.release_session()

    def __repr__(self) -> str:
        return f"BrainFlowSource(board {self.board_id}, {self.info.n_channels} ch, {self.fs:g} Hz)"


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("brainflow")
    except Exception:  # pragma: no cover
        return "?"
