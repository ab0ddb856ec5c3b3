"""Physiologically grounded EMG simulation with ground truth (being written)."""
