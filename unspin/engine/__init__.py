"""The restoration engine: suspects (sites) -> candidates (propose, the lexicon) -> language-model
scores (lm) -> edit model and joint decoding (restore) -> document verdict and flags (detect)."""
