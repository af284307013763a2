"""Stage 1: file -> Document. One reader per format, all producing `extract.model.Document`."""
