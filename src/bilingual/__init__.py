from .text.segment import split_sentences
