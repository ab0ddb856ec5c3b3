"""Noise and artefacts for simulated EMG, with every time-located artefact as ground truth.

:func:`add_noise` adds to a clean simulated signal (volts) the contaminations that
real recordings carry, each switched on by a non-zero level in :class:`NoiseSpec`:

========================  =====================================================
component                 model
========================  =====================================================
amplifier noise           white Gaussian, ``amplifier_uv_rms`` µV RMS per channel,
                          or scaled per channel to a requested SNR (``snr_db``)
power-line interference   sinusoid at ``powerline_hz`` with amplitude
                          ``powerline_uv`` and ``powerline_harmonics`` harmonics;
                          the h-th multiple of the fundamental has amplitude
                          ``powerline_uv / h``; random phase per channel
baseline wander           sum of 4 sinusoids at 0.05-0.5 Hz, random phases,
                          scaled so that its peak magnitude is
                          ``baseline_wander_uv`` on every channel
motion artefacts          Poisson times (``motion_artifacts_per_min``); each a
                          Hann-windowed oscillation of 1-10 Hz lasting 0.2-0.8 s
                          on all channels, peak ``motion_artifact_uv`` times a
                          per-channel gain in [0.5, 1] with random sign
ECG contamination         P-QRS-T waveform from Gaussian waves (after McSharry et
                          al. 2003) at ``heart_rate_bpm`` with 4% RR variability;
                          R peak ``ecg_uv`` times a per-channel gain
electrode pops            Poisson times (``electrode_pops_per_min``) on a random
                          channel: a step of ``electrode_pop_uv`` (random sign)
                          decaying with time constant ``electrode_pop_tau_s``
disconnection             the listed spans flat at 0 V (``"flat"``) or at the
                          positive rail ``+adc_range_uv`` (``"rail"``)
ADC                       clipping at ±``adc_range_uv`` and, with ``adc_bits``,
                          mid-tread quantisation with step
                          ``2 * adc_range_uv / 2 ** adc_bits``
========================  =====================================================

The components are added in that order (the analogue chain first, then the
disconnections, then the converter). Each component draws from its own child of the
caller's generator (:meth:`numpy.random.Generator.spawn`), so switching one
component on or off never changes the realisation of the others: the difference
between two calls that differ in one level is exactly that component.

Artefacts with a time location become :class:`NoiseEvent` rows (``kind`` is one of
``"motion"``, ``"ecg"``, ``"electrode_pop"``, ``"disconnect_flat"``,
``"disconnect_rail"``, ``"clipping"``); amplifier noise, power-line interference and
baseline wander are everywhere and have none.

References
----------
.. [1] Clancy EA, Morin EL, Merletti R. Sampling, noise-reduction and amplitude
   estimation issues in surface electromyography. J Electromyogr Kinesiol
   2002;12:1-16.
.. [2] De Luca CJ, Gilmore LD, Kuznetsov M, Roy SH. Filtering the surface EMG signal:
   movement artifact and baseline noise contamination. J Biomech 2010;43:1573-1579
   (movement artefact energy at 0-20 Hz, mostly below 10 Hz).
.. [3] McSharry PE, Clifford GD, Tarassenko L, Smith LA. A dynamical model for
   generating synthetic electrocardiogram signals. IEEE Trans Biomed Eng
   2003;50:289-294 (P, Q, R, S, T as Gaussian waves).
.. [4] Drake JDM, Callaghan JP. Elimination of electrocardiogram contamination from
   electromyogram signals: an evaluation of currently used removal techniques.
   J Electromyogr Kinesiol 2006;16:175-187.
.. [5] Tatum WO, Dworetzky BA, Schomer DL. Artifact and recording concepts in EEG.
   J Clin Neurophysiol 2011;28:252-263 (electrode pop: abrupt change with
   exponential return to baseline).
.. [6] Widrow B, Kollár I. Quantization Noise. Cambridge University Press, 2008
   (uniform quantiser, step = full scale / 2**bits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.checks import check_fs
from myograph.core.errors import ParameterError, SignalError

__all__ = ["NoiseSpec", "NoiseEvent", "add_noise", "noise_events_to_annotations", "NOISE_EVENT_KINDS"]

NOISE_EVENT_KINDS = ("motion", "ecg", "electrode_pop", "disconnect_flat", "disconnect_rail", "clipping")

_UV = 1e-6
#: components, in the order their child generators are spawned (never reorder)
_STREAMS = ("amplifier", "powerline", "wander", "motion", "ecg", "pops")
#: window for the active-content signal power behind ``snr_db``, s
_SNR_WINDOW_S = 0.05
#: a window is active when its mean square is within 20 dB of the loudest window's
_SNR_ACTIVE_FRACTION = 0.01
#: ECG waves (onset relative to R peak s, relative amplitude, Gaussian SD s): the
#: shape of McSharry et al. 2003 [3] written in time rather than phase
_ECG_WAVES = (
    (-0.20, 0.15, 0.025),  # P
    (-0.03, -0.15, 0.008),  # Q
    (0.00, 1.00, 0.010),  # R
    (0.03, -0.30, 0.010),  # S
    (0.25, 0.30, 0.040),  # T
)
#: QRS span reported by the "ecg" events: R peak - 50 ms to R peak + 50 ms
_QRS_HALF_S = 0.05
_RR_CV = 0.04
_ANNOTATION_LABELS = {
    "motion": "BAD_motion",
    "ecg": "ECG_QRS",
    "electrode_pop": "BAD_electrode_pop",
    "disconnect_flat": "BAD_flat",
    "disconnect_rail": "BAD_saturated",
    "clipping": "BAD_saturated",
}


def add_noise(
    x_v: np.ndarray,
    fs: float,
    spec: NoiseSpec,
    rng: np.random.Generator,
    *,
    snr_db: float | None = None,
    ch_names: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[NoiseEvent]]:
    """Add the noise and artefacts of ``spec`` to a clean signal.

    Parameters
    ----------
    x_v : ndarray, shape (n_channels, n_samples) or (n_samples,)
        Clean signal, volts. Never modified.
    fs : float
        Sampling rate, Hz.
    spec : NoiseSpec
        Which components, at which levels.
    rng : numpy.random.Generator
        Source of randomness; each component uses its own spawned child.
    snr_db : float, optional
        When given, the amplifier noise of each channel is white Gaussian noise with
        power ``P_signal / 10 ** (snr_db / 10)``, where ``P_signal`` is the mean
        square of the channel's *active content*: the samples of the 50-ms windows
        whose mean square is within 20 dB of the channel's loudest window (so rest
        periods do not lower the signal power). ``spec.amplifier_uv_rms`` is then
        ignored. Only the amplifier noise enters the SNR.
    ch_names : sequence of str, optional
        Channel names, copied into the events' ``channel_name``.

    Returns
    -------
    y_v : ndarray
        A new float array with the shape of ``x_v``, volts.
    events : list of NoiseEvent
        Time-located artefacts sorted by onset. For a 1-D input, per-channel events
        have ``channel == 0``.

    Raises
    ------
    SignalError
        When ``x_v`` is empty, not 1-D/2-D or not finite, or when ``snr_db`` is given
        and a channel has no signal power.
    ParameterError
        When ``fs``, ``snr_db``, ``ch_names`` or a field of ``spec`` is out of range
        for this signal (for example a power-line frequency above Nyquist or a
        disconnection of a channel that does not exist).
    """
    x, one_d = _as_2d(x_v)
    fs = check_fs(fs)
    if not isinstance(spec, NoiseSpec):
        raise ParameterError("spec", f"must be a NoiseSpec, got {type(spec).__name__}")
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", f"must be a numpy.random.Generator, got {type(rng).__name__}")
    n_ch, n = x.shape
    names = _check_names(ch_names, n_ch)
    _check_spec_for_signal(spec, fs, n_ch)
    streams = dict(zip(_STREAMS, rng.spawn(len(_STREAMS)), strict=True))

    y = x.copy()
    y += _amplifier_noise(x, fs, spec.amplifier_uv_rms, snr_db, streams["amplifier"])
    if spec.powerline_hz is not None and spec.powerline_uv > 0:
        y += _powerline(n_ch, n, fs, spec.powerline_hz, spec.powerline_uv, spec.powerline_harmonics, streams["powerline"])
    if spec.baseline_wander_uv > 0:
        y += _baseline_wander(n_ch, n, fs, spec.baseline_wander_uv, streams["wander"])
    events: list[NoiseEvent] = []
    for part, evs in (
        _motion_artifacts(n_ch, n, fs, spec, streams["motion"]),
        _ecg(n_ch, n, fs, spec, streams["ecg"]),
        _electrode_pops(n_ch, n, fs, spec, streams["pops"]),
    ):
        if part is not None:
            y += part
        events += evs
    events += _apply_disconnects(y, fs, spec)
    events += _apply_adc(y, fs, spec)
    events.sort(key=lambda e: (e.onset_s, e.kind, -1 if e.channel is None else e.channel))
    if names is not None:
        events = [NoiseEvent(e.kind, e.channel, e.onset_s, e.duration_s, None if e.channel is None else names[e.channel]) for e in events]
    return (y[0] if one_d else y), events


def noise_events_to_annotations(events: Sequence[NoiseEvent], ch_names: Sequence[str] | None = None) -> Annotations:
    """Annotations for noise events (quality problems are data).

    Labels: ``clipping`` and ``disconnect_rail`` → ``BAD_saturated``;
    ``disconnect_flat`` → ``BAD_flat``; ``motion`` → ``BAD_motion``;
    ``electrode_pop`` → ``BAD_electrode_pop``; ``ecg`` → ``ECG_QRS``.

    Parameters
    ----------
    events : sequence of NoiseEvent
    ch_names : sequence of str, optional
        Names for channel indices; without them the events' ``channel_name`` is used
        (``str(index)`` when it is missing). Events with ``channel`` None concern all
        channels (empty tuple).
    """
    rows = []
    for e in events:
        if e.channel is None:
            chans: tuple[str, ...] = ()
        elif ch_names is not None:
            chans = (str(ch_names[e.channel]),)
        else:
            chans = (e.channel_name if e.channel_name is not None else str(e.channel),)
        rows.append((e.onset_s, e.duration_s, _ANNOTATION_LABELS.get(e.kind, e.kind), chans))
    return Annotations.from_rows(rows)


# --------------------------------------------------------------------------- checks


def _as_2d(x_v: np.ndarray) -> tuple[np.ndarray, bool]:
    x = np.asarray(x_v)
    if x.ndim not in (1, 2):
        raise SignalError(f"x_v: must be 1-D (n_samples,) or 2-D (n_channels, n_samples), got shape {x.shape}")
    if x.size == 0:
        raise SignalError(f"x_v: must not be empty, got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise SignalError(f"x_v: must be real numbers, got dtype {x.dtype}")
    x = np.array(x, dtype=float, ndmin=2, copy=True)
    if not np.all(np.isfinite(x)):
        raise SignalError("x_v: contains NaN or infinite samples")
    return x, np.ndim(x_v) == 1


def _check_names(ch_names: Sequence[str] | None, n_ch: int) -> list[str] | None:
    if ch_names is None:
        return None
    names = [str(c) for c in ch_names]
    if len(names) != n_ch:
        raise ParameterError("ch_names", f"must have one name per channel ({n_ch}), got {len(names)}")
    return names


def _check_spec_for_signal(spec: NoiseSpec, fs: float, n_ch: int) -> None:
    if spec.powerline_hz is not None and spec.powerline_uv > 0 and spec.powerline_hz >= fs / 2:
        raise ParameterError("powerline_hz", f"must be below the Nyquist frequency {fs / 2:g} Hz, got {spec.powerline_hz:g}")
    for ch, _, _, mode in spec.disconnects:
        if ch >= n_ch:
            raise ParameterError("disconnects", f"channel index must be < {n_ch}, got {ch}")
        if mode == "rail" and spec.adc_range_uv is None:
            raise ParameterError("disconnects", "a 'rail' disconnection needs adc_range_uv (the rail), got None")
    if spec.ecg_channel_gains is not None and spec.ecg_uv > 0 and len(spec.ecg_channel_gains) != n_ch:
        raise ParameterError("ecg_channel_gains", f"must have one gain per channel ({n_ch}), got {len(spec.ecg_channel_gains)}")


def _nonneg(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ParameterError(name, f"must be a finite number >= 0, got {value!r}")


# --------------------------------------------------------------------------- components


def _active_power(x: np.ndarray, fs: float) -> np.ndarray:
    """Mean square of each channel over its active windows (see :func:`add_noise`), V²."""
    n = x.shape[1]
    w = max(1, int(round(_SNR_WINDOW_S * fs)))
    starts = np.arange(0, n, w)
    counts = np.diff(np.append(starts, n))
    sums = np.add.reduceat(x * x, starts, axis=1)
    ms = sums / counts
    active = ms >= _SNR_ACTIVE_FRACTION * ms.max(axis=1, keepdims=True)
    return (sums * active).sum(axis=1) / (counts * active).sum(axis=1)


def _amplifier_noise(x: np.ndarray, fs: float, uv_rms: float, snr_db: float | None, rng: np.random.Generator) -> np.ndarray:
    if snr_db is None:
        sd = np.full(x.shape[0], uv_rms * _UV)
    else:
        if isinstance(snr_db, bool) or not isinstance(snr_db, (int, float)) or not math.isfinite(snr_db):
            raise ParameterError("snr_db", f"must be a finite number of dB, got {snr_db!r}")
        p = _active_power(x, fs)
        if np.any(p <= 0):
            bad = np.flatnonzero(p <= 0).tolist()
            raise SignalError(f"x_v: channels {bad} have no signal power, so snr_db={snr_db} cannot set their noise level")
        sd = np.sqrt(p / 10 ** (snr_db / 10))
    if not np.any(sd > 0):
        return np.zeros_like(x)
    return rng.standard_normal(x.shape) * sd[:, None]


def _powerline(n_ch: int, n: int, fs: float, f0: float, uv: float, harmonics: int, rng: np.random.Generator) -> np.ndarray:
    mult = np.arange(1, harmonics + 2)
    mult = mult[mult * f0 < fs / 2]
    phase = rng.uniform(0, 2 * np.pi, size=(n_ch, mult.size))
    t = np.arange(n) / fs
    out = np.zeros((n_ch, n))
    for j, h in enumerate(mult):
        out += (uv * _UV / h) * np.sin(2 * np.pi * h * f0 * t[None, :] + phase[:, j : j + 1])
    return out


def _baseline_wander(n_ch: int, n: int, fs: float, uv: float, rng: np.random.Generator) -> np.ndarray:
    k = 4
    f = rng.uniform(0.05, 0.5, size=(n_ch, k, 1))
    ph = rng.uniform(0, 2 * np.pi, size=(n_ch, k, 1))
    a = rng.uniform(0.5, 1.0, size=(n_ch, k, 1))
    t = np.arange(n)[None, None, :] / fs
    w = (a * np.sin(2 * np.pi * f * t + ph)).sum(axis=1)
    peak = np.abs(w).max(axis=1, keepdims=True)
    return w * (uv * _UV / np.where(peak > 0, peak, 1.0))


def _poisson_onsets(rate_per_min: float, n: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    """Sample indices of a homogeneous Poisson process over the record, sorted."""
    if rate_per_min <= 0:
        return np.zeros(0, dtype=int)
    k = rng.poisson(rate_per_min / 60.0 * n / fs)
    return np.sort(rng.integers(0, n, size=k))


def _motion_artifacts(n_ch: int, n: int, fs: float, spec: NoiseSpec, rng: np.random.Generator):
    if spec.motion_artifacts_per_min <= 0 or spec.motion_artifact_uv <= 0:
        return None, []
    onsets = _poisson_onsets(spec.motion_artifacts_per_min, n, fs, rng)
    out = np.zeros((n_ch, n))
    events = []
    for i0 in onsets:
        dur = rng.uniform(0.2, 0.8)
        f = rng.uniform(1.0, 10.0)
        ph = rng.uniform(0, 2 * np.pi)
        gain = rng.uniform(0.5, 1.0, size=n_ch) * rng.choice((-1.0, 1.0), size=n_ch)
        m = max(2, int(round(dur * fs)))
        tt = np.arange(m) / fs
        shape = np.hanning(m) * np.cos(2 * np.pi * f * (tt - dur / 2) + ph)
        shape /= np.abs(shape).max()
        i1 = min(n, i0 + m)
        out[:, i0:i1] += (spec.motion_artifact_uv * _UV) * gain[:, None] * shape[None, : i1 - i0]
        events.append(NoiseEvent("motion", None, i0 / fs, (i1 - i0) / fs))
    return out, events


def _ecg_template(fs: float) -> tuple[np.ndarray, int]:
    """P-QRS-T waveform with R peak 1 and the index of the R peak."""
    lo = min(c - 4 * s for c, _, s in _ECG_WAVES)
    hi = max(c + 4 * s for c, _, s in _ECG_WAVES)
    i_lo, i_hi = int(math.floor(lo * fs)), int(math.ceil(hi * fs))
    t = np.arange(i_lo, i_hi + 1) / fs
    w = sum(a * np.exp(-0.5 * ((t - c) / s) ** 2) for c, a, s in _ECG_WAVES)
    w = w - np.linspace(w[0], w[-1], w.size)  # exact zero at both ends
    return w / w[-i_lo], -i_lo


def _ecg(n_ch: int, n: int, fs: float, spec: NoiseSpec, rng: np.random.Generator):
    if spec.ecg_uv <= 0:
        return None, []
    rr = 60.0 / spec.heart_rate_bpm
    duration = n / fs
    n_beats = int(duration / rr) + 3
    intervals = np.clip(rr * (1 + _RR_CV * rng.standard_normal(n_beats)), 0.5 * rr, 1.5 * rr)
    r_times = rng.uniform(0, rr) + np.concatenate(([0.0], np.cumsum(intervals[:-1])))
    r_times = r_times[r_times < duration]
    if spec.ecg_channel_gains is not None:
        gains = np.asarray(spec.ecg_channel_gains, dtype=float)
    elif n_ch == 1:
        gains = np.ones(1)
    else:
        mag = rng.uniform(0.2, 1.0, size=n_ch)
        gains = mag / mag.max() * rng.choice((-1.0, 1.0), size=n_ch)
    tpl, i_r = _ecg_template(fs)
    r_idx = np.round(r_times * fs).astype(int)
    idx = (r_idx - i_r + tpl.size)[:, None] + np.arange(tpl.size)[None, :]  # shifted by tpl.size
    full = np.zeros(n + 2 * tpl.size)
    np.add.at(full, idx.ravel(), np.tile(tpl, r_idx.size))
    trace = full[tpl.size : tpl.size + n]
    half = int(round(_QRS_HALF_S * fs))
    events = []
    for ri in r_idx:
        i0, i1 = max(0, ri - half), min(n, ri + half)
        if i1 > i0:
            events.append(NoiseEvent("ecg", None, i0 / fs, (i1 - i0) / fs))
    return (spec.ecg_uv * _UV) * gains[:, None] * trace[None, :], events


def _electrode_pops(n_ch: int, n: int, fs: float, spec: NoiseSpec, rng: np.random.Generator):
    if spec.electrode_pops_per_min <= 0 or spec.electrode_pop_uv <= 0:
        return None, []
    onsets = _poisson_onsets(spec.electrode_pops_per_min, n, fs, rng)
    out = np.zeros((n_ch, n))
    events = []
    m = max(1, int(math.ceil(spec.electrode_pop_tau_s * math.log(100.0) * fs)))
    decay = np.exp(-np.arange(m) / (spec.electrode_pop_tau_s * fs))
    for i0 in onsets:
        ch = int(rng.integers(0, n_ch))
        sign = rng.choice((-1.0, 1.0))
        i1 = min(n, i0 + m)
        out[ch, i0:i1] += sign * spec.electrode_pop_uv * _UV * decay[: i1 - i0]
        events.append(NoiseEvent("electrode_pop", ch, i0 / fs, (i1 - i0) / fs))
    return out, events


def _span(start_s: float, stop_s: float, fs: float, n: int) -> tuple[int, int]:
    """Samples i with start_s <= i / fs < stop_s, clipped to the record."""
    return min(n, int(math.ceil(start_s * fs - 1e-9))), min(n, int(math.ceil(stop_s * fs - 1e-9)))


def _apply_disconnects(y: np.ndarray, fs: float, spec: NoiseSpec) -> list[NoiseEvent]:
    events = []
    n = y.shape[1]
    for ch, start, stop, mode in spec.disconnects:
        i0, i1 = _span(start, stop, fs, n)
        if i1 <= i0:
            continue
        y[ch, i0:i1] = 0.0 if mode == "flat" else spec.adc_range_uv * _UV
        events.append(NoiseEvent(f"disconnect_{mode}", ch, i0 / fs, (i1 - i0) / fs))
    return events


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, start, stop) of the runs of True along the last axis of a 2-D mask."""
    pad = np.zeros((mask.shape[0], 1), dtype=np.int8)
    d = np.diff(np.concatenate((pad, mask.astype(np.int8), pad), axis=1), axis=1)
    r0, s = np.nonzero(d == 1)
    _, e = np.nonzero(d == -1)
    return r0, s, e


def _apply_adc(y: np.ndarray, fs: float, spec: NoiseSpec) -> list[NoiseEvent]:
    if spec.adc_range_uv is None:
        return []
    r = spec.adc_range_uv * _UV
    if spec.adc_bits is None:
        sat = (y >= r) | (y <= -r)
        np.clip(y, -r, r, out=y)
    else:
        q = 2 * r / 2**spec.adc_bits
        lo, hi = -(2 ** (spec.adc_bits - 1)), 2 ** (spec.adc_bits - 1) - 1
        code = np.round(y / q)
        sat = (code > hi) | (code < lo)
        np.clip(code, lo, hi, out=code)
        np.multiply(code, q, out=y)
    rows, s, e = _runs(sat)
    return [NoiseEvent("clipping", int(c), i0 / fs, (i1 - i0) / fs) for c, i0, i1 in zip(rows, s, e, strict=True)]


# --------------------------------------------------------------------------- classes


@dataclass(frozen=True)
class NoiseSpec:
    """Which noise and artefacts :func:`add_noise` adds, at which levels (0 = off).

    Parameters
    ----------
    amplifier_uv_rms : float, default 0
        White Gaussian amplifier noise, µV RMS (ignored when ``snr_db`` is given).
    powerline_hz : float, optional
        Power-line frequency, Hz (50 or 60); None = no interference.
    powerline_uv : float, default 0
        Amplitude (peak) of the fundamental, µV; the h-th multiple has ``powerline_uv / h``.
    powerline_harmonics : int, default 3
        Number of harmonics above the fundamental (3 → 2f, 3f, 4f); those at or
        above Nyquist are left out.
    baseline_wander_uv : float, default 0
        Peak magnitude of the < 1 Hz drift (0.05-0.5 Hz components), µV.
    motion_artifacts_per_min : float, default 0
        Mean rate of motion artefacts (Poisson), per minute.
    motion_artifact_uv : float, default 0
        Peak of a motion artefact on a channel with gain 1, µV.
    ecg_uv : float, default 0
        R-peak amplitude of the ECG contamination on the channel with the largest
        gain, µV.
    heart_rate_bpm : float, default 70
        Mean heart rate, beats per minute (RR intervals vary with 4% CV).
    electrode_pops_per_min : float, default 0
        Mean rate of electrode pops (Poisson, each on one random channel), per minute.
    disconnects : tuple, default ()
        ``((channel_index, start_s, stop_s[, mode]), ...)``; mode ``"flat"`` (0 V,
        default) or ``"rail"`` (``+adc_range_uv``, which must then be set).
    adc_bits : int, optional
        Converter resolution, bits (1-32); needs ``adc_range_uv``.
    adc_range_uv : float, optional
        The converter spans ±``adc_range_uv`` µV: values beyond are clipped. With
        ``adc_bits`` the step is ``2 * adc_range_uv / 2 ** adc_bits`` µV (full span
        over the number of codes).
    electrode_pop_uv : float, default 500
        Step size of an electrode pop, µV.
    electrode_pop_tau_s : float, default 0.2
        Time constant of the pop's exponential return to baseline, s; the pop (and
        its event) ends when it has decayed to 1% (``tau * ln 100``).
    ecg_channel_gains : tuple of float, optional
        Gain of the ECG on each channel (signed); by default random magnitudes in
        [0.2, 1] (largest 1) with random signs, 1 for a single channel.

    Raises
    ------
    ParameterError
        Naming the field, when a level is negative or not finite, a frequency or rate
        is not positive, ``adc_bits`` is given without ``adc_range_uv``, or a
        disconnection entry is malformed.
    """

    amplifier_uv_rms: float = 0.0
    powerline_hz: float | None = None
    powerline_uv: float = 0.0
    powerline_harmonics: int = 3
    baseline_wander_uv: float = 0.0
    motion_artifacts_per_min: float = 0.0
    motion_artifact_uv: float = 0.0
    ecg_uv: float = 0.0
    heart_rate_bpm: float = 70.0
    electrode_pops_per_min: float = 0.0
    disconnects: tuple = ()
    adc_bits: int | None = None
    adc_range_uv: float | None = None
    electrode_pop_uv: float = 500.0
    electrode_pop_tau_s: float = 0.2
    ecg_channel_gains: tuple[float, ...] | None = field(default=None)

    def __post_init__(self) -> None:
        for name in ("amplifier_uv_rms", "powerline_uv", "baseline_wander_uv", "motion_artifacts_per_min",
                     "motion_artifact_uv", "ecg_uv", "electrode_pops_per_min", "electrode_pop_uv"):
            _nonneg(name, getattr(self, name))
        if self.powerline_hz is not None:
            _nonneg("powerline_hz", self.powerline_hz)
            if self.powerline_hz == 0:
                raise ParameterError("powerline_hz", "must be > 0 Hz (50 or 60) or None")
        if isinstance(self.powerline_harmonics, bool) or not isinstance(self.powerline_harmonics, (int, np.integer)) or self.powerline_harmonics < 0:
            raise ParameterError("powerline_harmonics", f"must be an integer >= 0, got {self.powerline_harmonics!r}")
        _nonneg("heart_rate_bpm", self.heart_rate_bpm)
        if not 20 <= self.heart_rate_bpm <= 250:
            raise ParameterError("heart_rate_bpm", f"must be in [20, 250] beats per minute, got {self.heart_rate_bpm!r}")
        _nonneg("electrode_pop_tau_s", self.electrode_pop_tau_s)
        if self.electrode_pop_tau_s == 0:
            raise ParameterError("electrode_pop_tau_s", "must be > 0 s")
        if self.adc_range_uv is not None:
            _nonneg("adc_range_uv", self.adc_range_uv)
            if self.adc_range_uv == 0:
                raise ParameterError("adc_range_uv", "must be > 0 µV or None")
        if self.adc_bits is not None:
            if isinstance(self.adc_bits, bool) or not isinstance(self.adc_bits, (int, np.integer)) or not 1 <= self.adc_bits <= 32:
                raise ParameterError("adc_bits", f"must be an integer in [1, 32] or None, got {self.adc_bits!r}")
            if self.adc_range_uv is None:
                raise ParameterError("adc_bits", "quantisation needs adc_range_uv (the ± range), got None")
        if self.ecg_channel_gains is not None:
            gains = tuple(float(g) for g in self.ecg_channel_gains)
            if not all(math.isfinite(g) for g in gains):
                raise ParameterError("ecg_channel_gains", "must be finite numbers")
            object.__setattr__(self, "ecg_channel_gains", gains)
        object.__setattr__(self, "disconnects", _normalise_disconnects(self.disconnects))


def _normalise_disconnects(value) -> tuple[tuple[int, float, float, str], ...]:
    out = []
    try:
        entries = list(value)
    except TypeError:
        raise ParameterError("disconnects", f"must be a tuple of (channel_index, start_s, stop_s[, mode]), got {value!r}") from None
    for entry in entries:
        try:
            items = tuple(entry)
        except TypeError:
            items = ()
        if len(items) not in (3, 4):
            raise ParameterError("disconnects", f"each entry must be (channel_index, start_s, stop_s[, 'flat'|'rail']), got {entry!r}")
        ch, start, stop = items[:3]
        mode = items[3] if len(items) == 4 else "flat"
        if isinstance(ch, bool) or not isinstance(ch, (int, np.integer)) or ch < 0:
            raise ParameterError("disconnects", f"channel_index must be an integer >= 0, got {ch!r}")
        try:
            start, stop = float(start), float(stop)
        except (TypeError, ValueError):
            raise ParameterError("disconnects", f"start_s and stop_s must be numbers, got {entry!r}") from None
        if not (math.isfinite(start) and math.isfinite(stop)) or start < 0 or stop <= start:
            raise ParameterError("disconnects", f"need 0 <= start_s < stop_s (finite), got {entry!r}")
        if mode not in ("flat", "rail"):
            raise ParameterError("disconnects", f"mode must be 'flat' or 'rail', got {mode!r}")
        out.append((int(ch), start, stop, mode))
    return tuple(out)


@dataclass(frozen=True)
class NoiseEvent:
    """One time-located artefact (ground truth for quality detection).

    Parameters
    ----------
    kind : str
        One of :data:`NOISE_EVENT_KINDS`.
    channel : int or None
        Channel index, or None when the artefact is on every channel (motion, ECG).
    onset_s : float
        Start, s from the first sample (a sample time).
    duration_s : float
        Length, s (number of affected samples / fs). For ``"ecg"`` the span is the
        QRS complex, R peak ± 50 ms; the lower P and T waves lie outside it.
    channel_name : str or None, default None
        The channel's name when :func:`add_noise` was given ``ch_names``.
    """

    kind: str
    channel: int | None
    onset_s: float
    duration_s: float
    channel_name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "onset_s", float(self.onset_s))
        object.__setattr__(self, "duration_s", float(self.duration_s))
        if self.channel is not None:
            object.__setattr__(self, "channel", int(self.channel))
