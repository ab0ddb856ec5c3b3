"""The controller-delay report: window, decision step, acquisition, processing, transport.

The delay a prosthesis user feels between a change of contraction and the
device's response is, on average (the approximation of Smith et al. 2011,
after Englehart & Hudgins 2003),

    D = T_window / 2 + n_vote * T_step / 2 + tau

— half the analysis window (the mean age of the samples that make a decision),
half the decision step per decision in a majority vote (the mean wait for the
decision that reflects the change), and the time ``tau`` the system takes. This
report measures ``tau`` in three parts instead of assuming it:

``acquisition``
    from the window's last sample (on the source clock) to when its block reached
    this process — the device's block size and buffering (measured only for
    sources on this process's clock, such as the simulated amplifier; otherwise
    reported as unknown and left out of the total);
``processing``
    filtering, features, prediction and post-processing, per decision;
``transport``
    handing the decision to its output (UDP ``sendto``, LSL push, key press).

The total is compared with the optimum of Farrell & Weir (2007): 100 ms for
fast prehensors to 125 ms for slower ones; below it the controller could afford
a longer window (more accuracy), above it performance degrades linearly.

References
----------
Farrell T. R., Weir R. F. (2007) The optimal controller delay for myoelectric
prostheses. IEEE Trans Neural Syst Rehabil Eng 15(1):111-118.
Smith L. H., Hargrove L. J., Lock B. A., Kuiken T. A. (2011) Determining the optimal
window length for pattern recognition-based myoelectric control: balancing the
competing effects of classification error and controller delay. IEEE Trans Neural
Syst Rehabil Eng 19(2):186-192.
Englehart K., Hudgins B. (2003) A robust, real-time control scheme for multifunction
myoelectric control. IEEE Trans Biomed Eng 50(7):848-854.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["LatencyReport", "latency_report", "OPTIMUM_MS"]

#: optimal controller delay, ms (Farrell & Weir 2007): fast prehensors, slow prehensors
OPTIMUM_MS = (100.0, 125.0)


def _stats_ms(values: Sequence[float]) -> tuple[float, float, float]:
    v = np.asarray([x for x in values if math.isfinite(x)], dtype=np.float64) * 1e3
    if not v.size:
        return math.nan, math.nan, math.nan
    return float(np.median(v)), float(np.percentile(v, 99)), float(v.max())


@dataclass(frozen=True)
class LatencyReport:
    """Controller delay in parts, ms (medians; ``*_p99`` the 99th percentile).

    ``total_ms`` = ``window_ms`` + ``step_ms`` + acquisition (when measured) +
    processing + transport medians.
    """

    n_decisions: int
    window_ms: float
    step_ms: float
    vote: int
    acquisition_ms: float
    acquisition_p99_ms: float
    processing_ms: float
    processing_p99_ms: float
    processing_max_ms: float
    transport_ms: float
    transport_p99_ms: float
    total_ms: float
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()}

    def table(self) -> str:
        """A plain-text table of the parts and the verdict."""
        def f(v: float) -> str:
            return "unknown" if not math.isfinite(v) else f"{v:8.2f}"

        rows = [
            ("window / 2", f(self.window_ms), "half the analysis window"),
            ("step x vote / 2", f(self.step_ms), f"mean wait for the next decision (vote of {self.vote})"),
            ("acquisition", f(self.acquisition_ms), f"p99 {f(self.acquisition_p99_ms).strip()} ms: block delivery"),
            ("processing", f(self.processing_ms), f"p99 {f(self.processing_p99_ms).strip()} ms, max {f(self.processing_max_ms).strip()} ms"),
            ("transport", f(self.transport_ms), f"p99 {f(self.transport_p99_ms).strip()} ms: hand-over to the output"),
            ("total", f(self.total_ms), self.verdict),
        ]
        w = max(len(r[0]) for r in rows)
        lines = [f"controller delay over {self.n_decisions} decisions (ms, medians)"]
        lines += [f"  {a:<{w}}  {b}  {c}" for a, b, c in rows]
        return "\n".join(lines)


def _verdict(total_ms: float) -> str:
    lo, hi = OPTIMUM_MS
    if not math.isfinite(total_ms):
        return "unknown"
    if total_ms < lo:
        return (f"below the {lo:g}-{hi:g} ms optimum of Farrell & Weir (2007): "
                f"{lo - total_ms:.0f} ms to spare for a longer window")
    if total_ms <= hi:
        return f"within the {lo:g}-{hi:g} ms optimum of Farrell & Weir (2007)"
    return f"above the {lo:g}-{hi:g} ms optimum of Farrell & Weir (2007) by {total_ms - hi:.0f} ms"


def latency_report(decisions: Sequence[Any], *, window_s: float, step_s: float, vote: int = 1,
                   transport_s: Sequence[float] | None = None, clock_is_monotonic: bool = False) -> LatencyReport:
    """Build a :class:`LatencyReport` from :class:`~myograph.control.online.Decision`\\ s.

    Parameters
    ----------
    decisions : sequence of Decision
    window_s, step_s : float
        The model's window and step, s.
    vote : int
        Majority-vote length.
    transport_s : sequence of float, optional
        Measured hand-over time of each decision to its output, s.
    clock_is_monotonic : bool
        True when the source's timestamps are this process's ``time.monotonic``
        (then acquisition delay is measured as ``received_s - window_end_s``).
    """
    acq = [d.received_s - d.window_end_s for d in decisions] if clock_is_monotonic else []
    a_med, a_p99, _ = _stats_ms(acq)
    p_med, p_p99, p_max = _stats_ms([d.processing_s for d in decisions])
    t_med, t_p99, _ = _stats_ms(list(transport_s or []))
    window_ms = window_s * 1e3 / 2
    step_ms = vote * step_s * 1e3 / 2
    parts = [window_ms, step_ms, p_med]
    parts += [a_med] if math.isfinite(a_med) else []
    parts += [t_med] if math.isfinite(t_med) else []
    total = float(sum(x for x in parts if math.isfinite(x)))
    return LatencyReport(len(decisions), window_ms, step_ms, int(vote), a_med, a_p99, p_med, p_p99, p_max,
                         t_med, t_p99, total, _verdict(total))
