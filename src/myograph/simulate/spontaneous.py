"""Spontaneous activity at rest, as a concentric needle electrode records it.

:func:`simulate_spontaneous` returns one channel (volts) of one kind of abnormal
spontaneous activity and one :class:`SpontaneousEvent` per discharge (ground truth
for spontaneous-activity detectors):

fibrillation
    Action potentials of single denervated muscle fibres: brief (1-5 ms), small
    (20-200 µV, rarely up to 1 mV), biphasic or triphasic with an initial positive
    phase, firing very regularly at 0.5-15 Hz, sometimes slowly decelerating
    [1]_ [2]_ [3]_ [4]_.
positive_sharp_wave
    The same denervated-fibre discharge blocked at the needle tip: a sharp initial
    positive deflection then a long, low negative phase (10-30 ms, up to 100 ms),
    firing regularly like fibrillations [1]_ [2]_ [5]_.
fasciculation
    Spontaneous discharge of a whole motor unit (a MUAP), irregular and slow: a
    Poisson process with a mean interval of seconds [1]_ [2]_ [6]_.
myotonic
    Fibrillation- or PSW-shaped potentials firing at 20-80 Hz (up to 150 Hz) in
    bursts of 0.5-3 s whose rate and amplitude wax and wane ("dive bomber")
    [1]_ [2]_ [7]_.
complex_repetitive
    A polyphasic complex of several time-locked single-fibre spikes (ephaptic
    chain) repeating with striking regularity at 5-100 Hz, starting and stopping
    abruptly [1]_ [2]_ [8]_.

Sign convention
---------------
The samples are the physical voltage of the active (core) electrode minus the
reference (cannula): **positive means the active electrode is positive**. The
clinical display plots negative upward, so the initial positive phase of a
fibrillation potential or positive sharp wave is drawn as a downward deflection.

Waveforms
---------
Single-fibre potentials (fibrillations, complex repetitive discharges, the default
MUAP of fasciculations) come from the line-source model of a fibre in an
anisotropic volume conductor [9]_ [10]_ driven by Rosenfalck's intracellular
action potential [11]_; the positive sharp wave is a parametric shape (fast
alpha-function positive spike, slow exponential negative phase) following its
description and models [5]_. The baseline is exactly zero: add noise with
:func:`myograph.simulate.noise.add_noise`.

Events
------
One event per discharge, for every kind. ``onset_s`` is the start of the potential
and ``duration_s`` its length, both measured on the template as the span where its
magnitude is at least 5% of its peak magnitude; ``amplitude_uv`` is the discharge's
peak-to-peak amplitude. Myotonic and complex repetitive discharges come in bursts:
their events carry the ``burst`` index (else -1), and :func:`discharge_bursts`
merges them into one event per burst. Only discharges whose whole potential fits in
the record are generated.

References
----------
.. [1] Preston DC, Shapiro BE. Electromyography and Neuromuscular Disorders, 3rd ed.
   Elsevier, 2013; chapter 14 (basic needle EMG: spontaneous activity).
.. [2] Daube JR, Rubin DI. Needle electromyography. Muscle Nerve 2009;39:244-270.
.. [3] Buchthal F, Rosenfalck P. Spontaneous electrical activity of human muscle.
   Electroencephalogr Clin Neurophysiol 1966;20:321-336.
.. [4] Conrad B, Sindermann F, Prochazka VJ. Interval analysis of repetitive
   denervation potentials of human skeletal muscle. J Neurol Neurosurg Psychiatry
   1972;35:834-840.
.. [5] Dumitru D, King JC, Rogers WE, Stegeman DF. Positive sharp wave and
   fibrillation potential modeling. Muscle Nerve 1999;22:242-251.
.. [6] Mills KR. Characteristics of fasciculations in amyotrophic lateral sclerosis
   and the benign fasciculation syndrome. Brain 2010;133:3458-3469.
.. [7] AANEM. Glossary of terms in neuromuscular and electrodiagnostic medicine
   (2015): myotonic discharge, complex repetitive discharge.
.. [8] Trontelj J, Stålberg E. Bizarre repetitive discharges recorded with single
   fibre EMG. J Neurol Neurosurg Psychiatry 1983;46:310-316.
.. [9] Nandedkar SD, Stålberg E. Simulation of single muscle fibre action potentials.
   Med Biol Eng Comput 1983;21:158-165.
.. [10] Andreassen S, Rosenfalck A. Relationship of intracellular and extracellular
   action potentials of skeletal muscle fibers. CRC Crit Rev Bioeng 1981;6:267-306.
.. [11] Rosenfalck P. Intra- and extracellular potential fields of active nerve and
   muscle fibres. Acta Physiol Scand Suppl 1969;321:1-168.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

from myograph.core.errors import ParameterError

__all__ = [
    "SPONTANEOUS_KINDS",
    "SpontaneousEvent",
    "simulate_spontaneous",
    "discharge_bursts",
    "rosenfalck_vm_mv",
    "single_fibre_potential",
    "fibrillation_waveform",
    "positive_sharp_wave_waveform",
    "complex_repetitive_waveform",
    "typical_muap",
    "potential_span",
]

SPONTANEOUS_KINDS = ("fibrillation", "positive_sharp_wave", "fasciculation", "myotonic", "complex_repetitive")

_UV = 1e-6
#: conductivities, S/m: intracellular, radial and axial extracellular [10]
_SIGMA_I, _SIGMA_R, _SIGMA_Z = 1.01, 0.063, 0.33
#: the span of a potential: samples whose magnitude is >= this fraction of its peak
_SPAN_FRACTION = 0.05
#: Rosenfalck's action potential is taken as 0 beyond this distance behind the front, mm
_AP_LENGTH_MM = 15.0


# --------------------------------------------------------------------------- waveforms


def rosenfalck_vm_mv(z_mm: np.ndarray) -> np.ndarray:
    """Rosenfalck's intracellular action potential, mV.

    ``Vm(z) = 96 z**3 exp(-z) - 90`` for ``z >= 0`` mm behind the wavefront, the
    resting -90 mV ahead of it [11]_ (``Vm(z) = A z^3 e^{-λz} + B``, A = 96 mV/mm³,
    λ = 1/mm, B = -90 mV).

    Parameters
    ----------
    z_mm : array_like
        Distance behind the wavefront, mm.
    """
    z = np.asarray(z_mm, dtype=float)
    zp = np.maximum(z, 0.0)
    return 96.0 * zp**3 * np.exp(-zp) - 90.0


def single_fibre_potential(
    t_s: np.ndarray,
    *,
    radius_mm: float,
    velocity_m_s: float = 4.0,
    fibre_diameter_um: float = 55.0,
) -> np.ndarray:
    """Extracellular potential of a propagating fibre action potential, volts.

    Line-source model [9]_ [10]_: a straight fibre of infinite length in an
    anisotropic medium, the electrode at radial distance ``radius_mm``,

    ``phi(t) = a**2 sigma_i / (4 sigma_r) * integral Vm''(u) / sqrt(K r**2 + (v t - u)**2) du``

    with ``a`` the fibre radius, ``K = sigma_z / sigma_r`` and Rosenfalck's ``Vm``
    (:func:`rosenfalck_vm_mv`); ``sigma_i`` = 1.01, ``sigma_r`` = 0.063, ``sigma_z`` =
    0.33 S/m [10]_. The wavefront passes the electrode at ``t = 0``. The approaching
    depolarisation front is a current source, so the potential starts positive: a
    triphasic positive-negative-positive wave.

    Parameters
    ----------
    t_s : array_like
        Times, s.
    radius_mm : float
        Radial distance from the fibre axis to the electrode, mm (> 0).
    velocity_m_s : float, default 4
        Conduction velocity, m/s (human muscle fibres 3-5 m/s).
    fibre_diameter_um : float, default 55
        Fibre diameter, µm; the amplitude scales with its square.
    """
    for name, v in (("radius_mm", radius_mm), ("velocity_m_s", velocity_m_s), ("fibre_diameter_um", fibre_diameter_um)):
        _check_positive(name, v)
    t = np.asarray(t_s, dtype=float)
    du = min(radius_mm / 6.0, 0.02)  # mm: resolves the 1/R kernel near the fibre
    u = np.arange(0.0, _AP_LENGTH_MM + du, du)  # distance behind the front, mm
    d2 = 96.0 * (6 * u - 6 * u**2 + u**3) * np.exp(-u) * 1e3  # Vm'' in V/m² (mV/mm² x 1e3)
    x = velocity_m_s * 1e3 * t  # wavefront position, mm
    x0 = float(np.min(x)) - du
    n_x = int(math.ceil((float(np.max(x)) + du - x0) / du)) + 2
    m = np.arange(-(u.size - 1), n_x)
    s = (x0 + m * du) * 1e-3  # x - u, m
    kernel = 1.0 / np.sqrt((_SIGMA_Z / _SIGMA_R) * (radius_mm * 1e-3) ** 2 + s**2)
    conv = fftconvolve(d2, kernel)[u.size - 1 : u.size - 1 + n_x] * (du * 1e-3)
    a = 0.5 * fibre_diameter_um * 1e-6
    phi = a * a * _SIGMA_I / (4 * _SIGMA_R) * conv
    return np.interp(x, x0 + np.arange(n_x) * du, phi)


def fibrillation_waveform(
    fs: float,
    *,
    amplitude_uv: float = 100.0,
    radius_mm: float = 0.1,
    velocity_m_s: float = 4.0,
) -> np.ndarray:
    """One fibrillation potential, volts, scaled to ``amplitude_uv`` peak to peak.

    The single-fibre potential (:func:`single_fibre_potential`) of a denervated fibre
    whose action potential passes the needle: initial positive, then negative, then
    a small terminal positive phase; 2.5-4.5 ms long (5% span) for radii 0.05-0.2 mm
    and velocities 3-4.5 m/s, within the published 1-5 ms [1]_ [3]_.

    Parameters
    ----------
    fs : float
        Sampling rate, Hz.
    amplitude_uv : float, default 100
        Peak-to-peak amplitude, µV (published 20-200 µV, up to ~1 mV).
    radius_mm : float, default 0.1
        Distance from the fibre to the electrode, mm: shapes the potential (nearer =
        sharper, relatively larger initial positivity).
    velocity_m_s : float, default 4
        Conduction velocity, m/s.
    """
    t = np.arange(int(math.floor(-10e-3 * fs)), int(math.ceil(15e-3 * fs)) + 1) / fs
    w = single_fibre_potential(t, radius_mm=radius_mm, velocity_m_s=velocity_m_s)
    return _trim_and_scale(w, amplitude_uv)


def positive_sharp_wave_waveform(
    fs: float,
    *,
    amplitude_uv: float = 100.0,
    duration_ms: float = 20.0,
    rise_ms: float = 0.6,
    negative_ratio: float = 0.2,
) -> np.ndarray:
    """One positive sharp wave, volts, scaled to ``amplitude_uv`` peak to peak.

    ``w(t) = alpha(t / rise) - c (1 - exp(-t / (2 rise))) exp(-t / tau)``, with the
    alpha function ``alpha(s) = s exp(1 - s)`` giving a sharp positive spike peaking
    at ``rise_ms`` and the second term a long, low negative phase whose trough is
    about ``negative_ratio`` of the positive peak; ``tau`` is set so that the 5% span
    of the potential lasts ``duration_ms``. The shape follows the clinical
    description and the blocked-propagation model of Dumitru et al. [5]_.

    Parameters
    ----------
    fs : float
        Sampling rate, Hz.
    amplitude_uv : float, default 100
        Peak-to-peak amplitude, µV.
    duration_ms : float, default 20
        Duration, ms (published 10-30 ms, up to 100 ms); > 4 ``rise_ms``.
    rise_ms : float, default 0.6
        Time from onset to the positive peak, ms.
    negative_ratio : float, default 0.2
        Trough of the negative phase relative to the positive peak (0-1).
    """
    _check_positive("rise_ms", rise_ms)
    _check_positive("duration_ms", duration_ms)
    if duration_ms <= 4 * rise_ms:
        raise ParameterError("duration_ms", f"must exceed 4 x rise_ms = {4 * rise_ms:g} ms, got {duration_ms!r}")
    if not 0 < negative_ratio < 1:
        raise ParameterError("negative_ratio", f"must be in (0, 1), got {negative_ratio!r}")
    t = np.arange(int(math.ceil(3 * duration_ms * 1e-3 * fs)) + 1) / fs
    r = rise_ms * 1e-3

    def shape(tau: float) -> np.ndarray:
        neg = (1 - np.exp(-t / (2 * r))) * np.exp(-t / tau)
        return (t / r) * np.exp(1 - t / r) - negative_ratio / neg.max() * neg

    tau = duration_ms * 1e-3 / 1.5
    for _ in range(6):  # the 5% span grows about linearly with tau
        i_on, i_off = potential_span(shape(tau))
        tau *= duration_ms * 1e-3 / max((i_off + 1 - i_on) / fs, 1.0 / fs)
    return _trim_and_scale(shape(tau), amplitude_uv)


def complex_repetitive_waveform(
    fs: float,
    rng: np.random.Generator,
    *,
    n_spikes: int = 5,
    span_ms: float = 10.0,
    amplitude_uv: float = 300.0,
) -> np.ndarray:
    """One complex of a complex repetitive discharge, volts.

    ``n_spikes`` single-fibre potentials (:func:`single_fibre_potential`) of fibres
    at 0.05-0.25 mm from the needle, conducting at 3-4.5 m/s, time-locked with
    delays spread over ``span_ms`` (first at 0, last at ``span_ms``) as in an
    ephaptically linked chain of fibres [8]_; scaled to ``amplitude_uv`` peak to peak
    (published 100 µV-1 mV [1]_).

    Parameters
    ----------
    fs : float
        Sampling rate, Hz.
    rng : numpy.random.Generator
    n_spikes : int, default 5
        Number of single-fibre spikes (>= 2).
    span_ms : float, default 10
        Time from the first to the last spike, ms.
    amplitude_uv : float, default 300
        Peak-to-peak amplitude, µV.
    """
    if isinstance(n_spikes, bool) or not isinstance(n_spikes, (int, np.integer)) or n_spikes < 2:
        raise ParameterError("n_spikes", f"must be an integer >= 2, got {n_spikes!r}")
    _check_positive("span_ms", span_ms)
    inner = np.sort(rng.uniform(0, span_ms * 1e-3, size=n_spikes - 2))
    delays = np.concatenate(([0.0], inner, [span_ms * 1e-3]))
    radii = rng.uniform(0.05, 0.25, size=n_spikes)
    speeds = rng.uniform(3.0, 4.5, size=n_spikes)
    t = np.arange(int(math.floor(-10e-3 * fs)), int(math.ceil((span_ms * 1e-3 + 15e-3) * fs)) + 1) / fs
    w = sum(single_fibre_potential(t - d, radius_mm=r, velocity_m_s=v) for d, r, v in zip(delays, radii, speeds, strict=True))
    return _trim_and_scale(np.asarray(w), amplitude_uv)


def typical_muap(
    fs: float,
    rng: np.random.Generator,
    *,
    amplitude_uv: float | None = None,
    fibre_density_per_mm2: float = 5.0,
    pickup_radius_mm: float = 2.5,
) -> np.ndarray:
    """A normal motor unit potential at a concentric needle, volts.

    The sum of the single-fibre potentials (:func:`single_fibre_potential`) of the
    unit's fibres within ``pickup_radius_mm`` of the needle: a Poisson number of
    fibres, uniformly scattered over the disc (5 fibres/mm² gives the normal SFEMG
    fibre density of ~1.5 fibres within 0.3 mm [9]_), conducting at 3.5-4.5 m/s,
    with arrival times scattered by the end-plate zone (SD 0.8 ms). This gives
    triphasic MUAPs of 8-11 ms (5% span), within the normal 5-15 ms [2]_, and
    1-3 mV at this point electrode; a concentric needle's core averages over its
    surface and records less (normal 0.2-2 mV [2]_), hence ``amplitude_uv``.

    Parameters
    ----------
    fs : float
        Sampling rate, Hz.
    rng : numpy.random.Generator
    amplitude_uv : float, optional
        Rescale to this peak-to-peak amplitude, µV; by default the model's own.
    fibre_density_per_mm2 : float, default 5
        Fibres of the unit per mm² of muscle cross-section.
    pickup_radius_mm : float, default 2.5
        Fibres farther away are ignored, mm.
    """
    _check_positive("fibre_density_per_mm2", fibre_density_per_mm2)
    _check_positive("pickup_radius_mm", pickup_radius_mm)
    n = max(3, int(rng.poisson(fibre_density_per_mm2 * math.pi * pickup_radius_mm**2)))
    r_min = min(0.05, pickup_radius_mm / 2)
    radii = np.sqrt(rng.uniform(r_min**2, pickup_radius_mm**2, size=n))
    delays = rng.normal(0.0, 0.8e-3, size=n)
    speeds = rng.uniform(3.5, 4.5, size=n)
    t = np.arange(int(math.floor(-20e-3 * fs)), int(math.ceil(30e-3 * fs)) + 1) / fs
    w = np.zeros(t.size)
    for d, r, v in zip(delays, radii, speeds, strict=True):
        w += single_fibre_potential(t - d, radius_mm=r, velocity_m_s=v)
    return _trim_and_scale(w, amplitude_uv)


def potential_span(w: np.ndarray, fraction: float = _SPAN_FRACTION) -> tuple[int, int]:
    """First and last index where ``|w|`` is at least ``fraction`` of its peak magnitude."""
    a = np.abs(np.asarray(w, dtype=float))
    idx = np.flatnonzero(a >= fraction * a.max())
    return int(idx[0]), int(idx[-1])


def _trim_and_scale(w: np.ndarray, amplitude_uv: float | None) -> np.ndarray:
    """Drop the near-zero ends (< 0.1% of the peak) and scale to a peak-to-peak µV."""
    i0, i1 = potential_span(w, 1e-3)
    w = np.asarray(w[max(0, i0 - 1) : i1 + 2], dtype=float)
    if amplitude_uv is None:
        return w
    _check_positive("amplitude_uv", amplitude_uv)
    return w * (amplitude_uv * _UV / np.ptp(w))


# --------------------------------------------------------------------------- public entry


def simulate_spontaneous(
    kind: str,
    duration_s: float,
    fs: float,
    rng: np.random.Generator,
    *,
    muap_v: np.ndarray | None = None,
    **params,
) -> tuple[np.ndarray, list[SpontaneousEvent]]:
    """Simulate one kind of spontaneous activity at a concentric needle.

    Parameters
    ----------
    kind : str
        One of :data:`SPONTANEOUS_KINDS`.
    duration_s : float
        Record length, s.
    fs : float
        Sampling rate, Hz (needle EMG: 10-20 kHz typical; at least 2 kHz).
    rng : numpy.random.Generator
    muap_v : ndarray, optional
        Fasciculation only: the MUAP waveform(s) sampled at ``fs``, volts, shape
        (n_samples,) or (n_units, n_samples) (one fasciculating unit per row); by
        default :func:`typical_muap`.
    **params
        Per kind (a value drawn at random when left out, per source or burst):

        fibrillation
            ``rate_hz`` (U(0.5, 10) Hz), ``amplitude_uv`` (log-uniform 20-200 µV,
            peak to peak), ``isi_cv`` (0.02), ``deceleration_per_s`` (0: the rate
            ``rate_hz * exp(-deceleration_per_s * t)``), ``radius_mm`` (U(0.05,
            0.2) mm), ``velocity_m_s`` (U(3, 4.5) m/s), ``n_sources`` (1:
            independent fibres, each with its own values).
        positive_sharp_wave
            ``rate_hz``, ``amplitude_uv``, ``isi_cv``, ``deceleration_per_s``,
            ``n_sources`` as for fibrillation; ``duration_ms`` (U(10, 30) ms),
            ``rise_ms`` (0.6 ms), ``negative_ratio`` (0.2).
        fasciculation
            ``rate_hz`` (mean rate, U(0.1, 0.5) Hz: mean intervals 2-10 s),
            ``min_interval_s`` (0.1 s dead time), ``amplitude_uv`` (of the default
            MUAP, log-uniform 300-1500 µV; rescales ``muap_v`` when given),
            ``n_sources`` (1, or the rows of ``muap_v``).
        myotonic
            ``waveform`` ("fibrillation" or "positive_sharp_wave"; "fibrillation"),
            ``amplitude_uv`` (peak-to-peak at the envelope peak, log-uniform
            50-300 µV), ``min_rate_hz`` (U(20, 30) Hz), ``peak_rate_hz`` (U(50, 100)
            Hz, at most 150), ``amplitude_depth`` (U(0.4, 0.7): the fraction by
            which the amplitude falls from envelope peak to trough),
            ``burst_duration_s`` (U(0.5, 3) s per burst), ``gap_s`` (U(0.5, 2) s
            between bursts); the potential's ``radius_mm`` (0.1 mm) and
            ``velocity_m_s`` (4 m/s) for fibrillation-shaped, ``duration_ms`` (15 ms)
            for PSW-shaped discharges. One source; the envelope peaks at a random
            10-40% of each burst.
        complex_repetitive
            ``rate_hz`` (log-uniform 5-100 Hz), ``n_spikes`` (3-8), ``span_ms``
            (U(5, 20) ms, at most 60% of the interval), ``amplitude_uv``
            (log-uniform 100-1000 µV), ``isi_cv`` (0.003), ``burst_duration_s``
            (U(1, 5) s), ``gap_s`` (U(0.5, 3) s).

    Returns
    -------
    signal_v : ndarray, shape (round(duration_s * fs),)
        Volts, active minus reference electrode (positive = active electrode
        positive; clinical displays draw negative up).
    events : list of SpontaneousEvent
        One per discharge, sorted by onset.

    Raises
    ------
    ParameterError
        Naming ``kind``, ``duration_s``, ``fs``, ``muap_v`` or the parameter that is
        unknown for this kind or out of range.
    """
    if kind not in _GENERATORS:
        raise ParameterError("kind", f"must be one of {list(SPONTANEOUS_KINDS)}, got {kind!r}")
    _check_positive("duration_s", duration_s)
    _check_positive("fs", fs)
    if fs < 2000:
        raise ParameterError("fs", f"needle EMG needs >= 2000 Hz (10-20 kHz typical), got {fs!r}")
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", f"must be a numpy.random.Generator, got {type(rng).__name__}")
    gen = _GENERATORS[kind]
    allowed = [p for p in inspect.signature(gen).parameters if p not in ("n", "fs", "rng")]
    for name in params:
        if name not in allowed:
            raise ParameterError(name, f"is not a parameter of kind {kind!r}; allowed: {allowed}")
    if muap_v is not None:
        if kind != "fasciculation":
            raise ParameterError("muap_v", f"is only used by kind 'fasciculation', got kind {kind!r}")
        params["muap_v"] = muap_v
    n = int(round(duration_s * fs))
    signal, events = gen(n, float(fs), rng, **params)
    events.sort(key=lambda e: (e.onset_s, e.source))
    return signal, events


def discharge_bursts(events: Sequence[SpontaneousEvent]) -> list[SpontaneousEvent]:
    """One event per burst (myotonic, complex repetitive discharges).

    Groups the discharges with the same ``kind``, ``source`` and ``burst >= 0``:
    onset of the first, end of the last, largest amplitude. Events outside bursts
    (``burst == -1``) are left out.
    """
    groups: dict[tuple[str, int, int], list[SpontaneousEvent]] = {}
    for e in events:
        if e.burst >= 0:
            groups.setdefault((e.kind, e.source, e.burst), []).append(e)
    out = []
    for (kind, source, burst), evs in groups.items():
        on = min(e.onset_s for e in evs)
        off = max(e.onset_s + e.duration_s for e in evs)
        out.append(SpontaneousEvent(kind, on, off - on, source, burst, max(e.amplitude_uv for e in evs)))
    return sorted(out, key=lambda e: (e.onset_s, e.source))


# --------------------------------------------------------------------------- generators


def _fibrillation(n, fs, rng, *, rate_hz=None, amplitude_uv=None, isi_cv=0.02, deceleration_per_s=0.0,
                  radius_mm=None, velocity_m_s=None, n_sources=1):
    n_sources = _check_count("n_sources", n_sources)
    sig, events = np.zeros(n), []
    for k in range(n_sources):
        rate = _given_or(rate_hz, lambda: rng.uniform(0.5, 10.0), "rate_hz")
        amp = _given_or(amplitude_uv, lambda: _log_uniform(rng, 20.0, 200.0), "amplitude_uv")
        radius = _given_or(radius_mm, lambda: rng.uniform(0.05, 0.2), "radius_mm")
        speed = _given_or(velocity_m_s, lambda: rng.uniform(3.0, 4.5), "velocity_m_s")
        w = fibrillation_waveform(fs, amplitude_uv=amp, radius_mm=radius, velocity_m_s=speed)
        times = _regular_times(n / fs, rate, isi_cv, deceleration_per_s, rng)
        events += _place(sig, w, times, np.ones(times.size), fs, "fibrillation", k, -1)
    return sig, events


def _positive_sharp_wave(n, fs, rng, *, rate_hz=None, amplitude_uv=None, isi_cv=0.02, deceleration_per_s=0.0,
                         duration_ms=None, rise_ms=0.6, negative_ratio=0.2, n_sources=1):
    n_sources = _check_count("n_sources", n_sources)
    sig, events = np.zeros(n), []
    for k in range(n_sources):
        rate = _given_or(rate_hz, lambda: rng.uniform(0.5, 10.0), "rate_hz")
        amp = _given_or(amplitude_uv, lambda: _log_uniform(rng, 20.0, 200.0), "amplitude_uv")
        dur = _given_or(duration_ms, lambda: rng.uniform(10.0, 30.0), "duration_ms")
        w = positive_sharp_wave_waveform(fs, amplitude_uv=amp, duration_ms=dur, rise_ms=rise_ms, negative_ratio=negative_ratio)
        times = _regular_times(n / fs, rate, isi_cv, deceleration_per_s, rng)
        events += _place(sig, w, times, np.ones(times.size), fs, "positive_sharp_wave", k, -1)
    return sig, events


def _fasciculation(n, fs, rng, *, rate_hz=None, min_interval_s=0.1, amplitude_uv=None, n_sources=None, muap_v=None):
    if muap_v is not None:
        muaps = np.asarray(muap_v, dtype=float)
        if muaps.ndim not in (1, 2) or muaps.shape[-1] < 2 or not np.all(np.isfinite(muaps)) or not np.any(muaps):
            raise ParameterError("muap_v", f"must be a finite, non-zero waveform of shape (n_samples,) or (n_units, n_samples), got shape {muaps.shape}")
        muaps = np.atleast_2d(muaps)
        if n_sources is not None and _check_count("n_sources", n_sources) != muaps.shape[0]:
            raise ParameterError("n_sources", f"must equal the number of MUAPs in muap_v ({muaps.shape[0]}), got {n_sources!r}")
        n_sources = muaps.shape[0]
    else:
        n_sources = _check_count("n_sources", 1 if n_sources is None else n_sources)
        muaps = None
    _check_nonneg("min_interval_s", min_interval_s)
    sig, events = np.zeros(n), []
    for k in range(n_sources):
        rate = _given_or(rate_hz, lambda: rng.uniform(0.1, 0.5), "rate_hz")
        if min_interval_s >= 1.0 / rate:
            raise ParameterError("min_interval_s", f"must be shorter than the mean interval 1/rate_hz = {1 / rate:g} s, got {min_interval_s!r}")
        if muaps is None:
            amp = _given_or(amplitude_uv, lambda: _log_uniform(rng, 300.0, 1500.0), "amplitude_uv")
            w = typical_muap(fs, rng, amplitude_uv=amp)
        else:
            w = muaps[k] if amplitude_uv is None else muaps[k] * (_check_positive("amplitude_uv", amplitude_uv) * _UV / np.ptp(muaps[k]))
        times = _poisson_times(n / fs, rate, min_interval_s, rng)
        events += _place(sig, w, times, np.ones(times.size), fs, "fasciculation", k, -1)
    return sig, events


def _myotonic(n, fs, rng, *, waveform="fibrillation", amplitude_uv=None, min_rate_hz=None, peak_rate_hz=None,
              amplitude_depth=None, burst_duration_s=None, gap_s=None, radius_mm=0.1, velocity_m_s=4.0,
              duration_ms=15.0):
    if waveform not in ("fibrillation", "positive_sharp_wave"):
        raise ParameterError("waveform", f"must be 'fibrillation' or 'positive_sharp_wave', got {waveform!r}")
    amp = _given_or(amplitude_uv, lambda: _log_uniform(rng, 50.0, 300.0), "amplitude_uv")
    if waveform == "fibrillation":
        w = fibrillation_waveform(fs, amplitude_uv=amp, radius_mm=radius_mm, velocity_m_s=velocity_m_s)
    else:
        w = positive_sharp_wave_waveform(fs, amplitude_uv=amp, duration_ms=duration_ms)
    duration = n / fs
    sig, events = np.zeros(n), []
    t, burst = _given_or(gap_s, lambda: rng.uniform(0.5, 2.0), "gap_s") * rng.uniform(0, 1), 0
    while t < duration:
        lo = _given_or(min_rate_hz, lambda: rng.uniform(20.0, 30.0), "min_rate_hz")
        hi = _given_or(peak_rate_hz, lambda: rng.uniform(50.0, 100.0), "peak_rate_hz")
        if hi > 150 or lo >= hi:
            raise ParameterError("peak_rate_hz", f"need min_rate_hz < peak_rate_hz <= 150 Hz, got {lo:g} and {hi:g}")
        depth = _given_or(amplitude_depth, lambda: rng.uniform(0.4, 0.7), "amplitude_depth")
        if depth >= 1:
            raise ParameterError("amplitude_depth", f"must be in (0, 1), got {depth!r}")
        length = _given_or(burst_duration_s, lambda: rng.uniform(0.5, 3.0), "burst_duration_s")
        peak_at = rng.uniform(0.1, 0.4)
        times, env = _waxing_waning_times(length, lo, hi, peak_at, fs)
        events += _place(sig, w, t + times, 1.0 - depth * (1.0 - env), fs, "myotonic", 0, burst)
        t += length + _given_or(gap_s, lambda: rng.uniform(0.5, 2.0), "gap_s")
        burst += 1
    return sig, events


def _complex_repetitive(n, fs, rng, *, rate_hz=None, n_spikes=None, span_ms=None, amplitude_uv=None, isi_cv=0.003,
                        burst_duration_s=None, gap_s=None):
    rate = _given_or(rate_hz, lambda: _log_uniform(rng, 5.0, 100.0), "rate_hz")
    spikes = int(rng.integers(3, 9)) if n_spikes is None else n_spikes
    span = _given_or(span_ms, lambda: min(rng.uniform(5.0, 20.0), 600.0 / rate), "span_ms")
    amp = _given_or(amplitude_uv, lambda: _log_uniform(rng, 100.0, 1000.0), "amplitude_uv")
    w = complex_repetitive_waveform(fs, rng, n_spikes=spikes, span_ms=span, amplitude_uv=amp)
    duration = n / fs
    sig, events = np.zeros(n), []
    t, burst = _given_or(gap_s, lambda: rng.uniform(0.5, 3.0), "gap_s") * rng.uniform(0, 1), 0
    while t < duration:
        length = _given_or(burst_duration_s, lambda: rng.uniform(1.0, 5.0), "burst_duration_s")
        times = _regular_times(length, rate, isi_cv, 0.0, rng, start_at_zero=True)
        events += _place(sig, w, t + times, np.ones(times.size), fs, "complex_repetitive", 0, burst)
        t += length + _given_or(gap_s, lambda: rng.uniform(0.5, 3.0), "gap_s")
        burst += 1
    return sig, events


_GENERATORS: dict[str, Callable[..., tuple[np.ndarray, list[SpontaneousEvent]]]] = {
    "fibrillation": _fibrillation,
    "positive_sharp_wave": _positive_sharp_wave,
    "fasciculation": _fasciculation,
    "myotonic": _myotonic,
    "complex_repetitive": _complex_repetitive,
}


# --------------------------------------------------------------------------- timing and placement


def _regular_times(duration_s: float, rate_hz: float, isi_cv: float, deceleration_per_s: float,
                   rng: np.random.Generator, *, start_at_zero: bool = False) -> np.ndarray:
    """Discharge times of a regular pacemaker, s.

    Intervals are ``max(1 + isi_cv * N(0, 1), 0.1)`` periods of the instantaneous rate
    ``rate_hz * exp(-deceleration_per_s * t)``: unit intervals in the phase domain,
    mapped to time through the inverse of the phase ``rate / d * (1 - exp(-d t))``.
    The first discharge is at a random phase (or at 0 with ``start_at_zero``).
    """
    _check_positive("rate_hz", rate_hz)
    _check_nonneg("isi_cv", isi_cv)
    if isi_cv >= 0.3:
        raise ParameterError("isi_cv", f"a regular discharge needs isi_cv < 0.3, got {isi_cv!r}")
    _check_nonneg("deceleration_per_s", deceleration_per_s)
    n_max = int(1.5 * duration_s * rate_hz) + 10  # enough to pass the end: intervals vary < 30%
    first = 0.0 if start_at_zero else rng.uniform(0, 1)
    unit = np.maximum(1 + isi_cv * rng.standard_normal(n_max - 1), 0.1)
    phase = first + np.concatenate(([0.0], np.cumsum(unit)))
    if deceleration_per_s > 0:
        arg = 1 - deceleration_per_s * phase / rate_hz
        phase = phase[arg > 0]
        times = -np.log(arg[arg > 0]) / deceleration_per_s
    else:
        times = phase / rate_hz
    return times[times < duration_s]


def _poisson_times(duration_s: float, rate_hz: float, dead_time_s: float, rng: np.random.Generator) -> np.ndarray:
    """Poisson process with a dead time: intervals = dead time + exponential, mean 1/rate."""
    n_max = int(2 * duration_s * rate_hz) + 30  # the count exceeds this with negligible probability
    gaps = dead_time_s + rng.exponential(1.0 / rate_hz - dead_time_s, n_max - 1)
    times = rng.uniform(0, 1.0 / rate_hz) + np.concatenate(([0.0], np.cumsum(gaps)))
    return times[times < duration_s]


def _waxing_waning_times(length_s: float, min_rate: float, peak_rate: float, peak_at: float, fs: float):
    """Discharge times and envelope values of one myotonic burst.

    Rate ``min + (peak - min) * e(t / length)`` with the envelope
    ``e(u) = (u / p)**2 exp(2 (1 - u / p))``: it waxes from the minimum rate to the
    peak rate at ``u = p`` and wanes back towards the minimum (the "dive bomber").
    """
    tt = np.arange(int(math.ceil(length_s * fs)) + 1) / fs
    u = tt / length_s / peak_at
    env = u**2 * np.exp(2 * (1 - u))
    rate = min_rate + (peak_rate - min_rate) * env
    phase = np.concatenate(([0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) / fs)))
    k = np.arange(0, int(phase[-1]) + 1)
    times = np.interp(k, phase, tt)
    return times, np.interp(times, tt, env)


def _place(sig: np.ndarray, w: np.ndarray, times_s: np.ndarray, scales: np.ndarray, fs: float,
           kind: str, source: int, burst: int) -> list[SpontaneousEvent]:
    """Add ``scales[k] * w`` with its onset (5% span) at each time; return the events.

    Discharges whose whole waveform would not fit in ``sig`` are skipped.
    """
    i_on, i_off = potential_span(w)
    starts = np.round(np.asarray(times_s) * fs).astype(int) - i_on
    keep = (starts >= 0) & (starts + w.size <= sig.size)
    starts, scales = starts[keep], np.asarray(scales, dtype=float)[keep]
    if starts.size:
        idx = starts[:, None] + np.arange(w.size)[None, :]
        np.add.at(sig, idx.ravel(), (scales[:, None] * w[None, :]).ravel())
    pp_uv = np.ptp(w) / _UV
    dur = (i_off + 1 - i_on) / fs
    return [SpontaneousEvent(kind, (s + i_on) / fs, dur, source, burst, float(a * pp_uv)) for s, a in zip(starts, scales, strict=True)]


# --------------------------------------------------------------------------- checks


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _given_or(value, draw: Callable[[], float], name: str) -> float:
    """``value`` checked > 0, or a fresh random draw when it is None."""
    return float(draw()) if value is None else _check_positive(name, value)


def _check_positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value) or value <= 0:
        raise ParameterError(name, f"must be a finite number > 0, got {value!r}")
    return float(value)


def _check_nonneg(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value) or value < 0:
        raise ParameterError(name, f"must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(name, f"must be an integer >= 1, got {value!r}")
    return int(value)


# --------------------------------------------------------------------------- classes


@dataclass(frozen=True)
class SpontaneousEvent:
    """One discharge of spontaneous activity (ground truth).

    Parameters
    ----------
    kind : str
        One of :data:`SPONTANEOUS_KINDS`.
    onset_s : float
        Start of the potential (first sample at >= 5% of its peak magnitude), s.
    duration_s : float
        Length of the potential over the same 5% span, s; for a burst from
        :func:`discharge_bursts`, first onset to last end.
    source : int, default 0
        Which generator (fibre, motor unit) discharged, 0-based.
    burst : int, default -1
        Burst index for myotonic and complex repetitive discharges; -1 otherwise.
    amplitude_uv : float, default nan
        Peak-to-peak amplitude of this discharge, µV.
    """

    kind: str
    onset_s: float
    duration_s: float
    source: int = 0
    burst: int = -1
    amplitude_uv: float = float("nan")
