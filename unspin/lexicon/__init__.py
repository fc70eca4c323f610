"""Where candidates come from: the thesauri and inflection (lexicon) and real spinners' habits
(spinners)."""
