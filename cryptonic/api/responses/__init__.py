"""The success bodies of every endpoint, built as the documented response models."""
