"""Summarization: a built-in extractive method and pretrained abstractive models."""
