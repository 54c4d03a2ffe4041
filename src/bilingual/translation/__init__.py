"""Translation: the document pipeline over a backend that translates batches of sentences."""
