"""Pure text stages: normalization, language detection and segmentation. No torch here."""
