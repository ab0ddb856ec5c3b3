"""Signal conditioning: filters, envelopes, spectra, quality (being written)."""
